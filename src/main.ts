import { serve } from './app/server.js';

await serve();
