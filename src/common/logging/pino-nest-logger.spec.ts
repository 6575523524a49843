import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PinoNestLogger } from './pino-nest-logger.js';

function capture() {
  const lines: { level: number; msg: string; context?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line)),
      );
      done();
    },
  });
  return { sut: new PinoNestLogger(pino({ level: 'info' }, sink)), lines };
}

describe('PinoNestLogger', () => {
  it("keeps Nest's start-up detail (mapped routes, initialised modules) out of the info log", async () => {
    const { sut, lines } = capture();
    sut.log('Mapped {/mcp, POST} route', 'RouterExplorer');
    sut.log('AppModule dependencies initialized', 'InstanceLoader');
    sut.log('Nest application successfully started', 'NestApplication');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.msg, line.context])).toEqual([
      ['Nest application successfully started', 'NestApplication'],
    ]);
  });
});
