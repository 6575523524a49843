import type { ServerView, UserInfo } from './types';

/**
 * What the signed-in user may do, mirroring the API's rules so the console hides what would be refused (the API
 * still decides): a `user` reads; a `server_owner` registers servers and changes their own; an `admin` does all.
 */
export const isAdmin = (user: UserInfo) => user.roles.includes('admin');
export const canRegister = (user: UserInfo) => isAdmin(user) || user.roles.includes('server_owner');
export const canChange = (user: UserInfo, server: ServerView) =>
  isAdmin(user) || (user.roles.includes('server_owner') && server.ownerOid === user.oid);
