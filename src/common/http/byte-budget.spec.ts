import { ByteBudget } from './byte-budget.js';

const tooMuch = (limit: number, how: string) => new Error(`${how} more than ${limit}`);

function streamed(...chunks: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
  );
}

describe('ByteBudget', () => {
  it('passes a body within the limit through unchanged, and counts across responses', async () => {
    const budget = new ByteBudget(10, tooMuch);
    expect(await budget.meter(streamed('abc', 'def')).text()).toBe('abcdef');
    await expect(budget.meter(streamed('ghijk')).text()).rejects.toThrow('sent more than 10');
    expect(budget.signal.aborted).toBe(true);
    expect(() => budget.check()).toThrow('sent more than 10');
  });

  it('cuts the body at the chunk that crosses the limit and cancels the rest', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const budget = new ByteBudget(4096, tooMuch);
    await expect(budget.meter(new Response(endless)).arrayBuffer()).rejects.toThrow('sent more than 4096');
    // Cut where the limit was crossed, not read to the end of an endless stream (a few chunks of read-ahead).
    expect(pulled).toBeLessThan(10);
  });

  it('refuses a body announced larger than what is left before reading it', () => {
    const budget = new ByteBudget(100, tooMuch);
    const response = new Response('x'.repeat(200), { headers: { 'content-length': '200' } });
    expect(() => budget.meter(response)).toThrow('announced more than 100');
  });

  it('bounds an event stream per event, not in all', async () => {
    const budget = new ByteBudget(16, tooMuch);
    const events = streamed('data: 0123456\n\n', 'data: 0123456\n\n', 'data: 0123456\n\n');
    expect(await budget.meter(events, { perEvent: true }).text()).toHaveLength(45);
    const smallEventsInOneChunk = streamed('data: 01\n\ndata: 01\n\ndata: 01\n\n');
    expect(
      await new ByteBudget(16, tooMuch).meter(smallEventsInOneChunk, { perEvent: true }).text(),
    ).toHaveLength(30);
    const oneLongEvent = streamed('data: 0123456', '789012345678\n\n');
    await expect(new ByteBudget(16, tooMuch).meter(oneLongEvent, { perEvent: true }).text()).rejects.toThrow(
      'sent more than 16',
    );
  });
});
