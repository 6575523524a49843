/**
 * Preloaded into the reference server (`node --import`): it calls `app.listen(PORT)`, which binds every interface,
 * and the bench keeps everything on 127.0.0.1. This turns a listen on a port without a host into one on 127.0.0.1 and
 * changes nothing else in the server.
 */
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const portOnly = typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]));
  if (portOnly && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
