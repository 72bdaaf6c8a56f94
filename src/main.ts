/** `node dist/main.js`, as earlier releases were started: the same as `gatehouse start`. */
import { main } from './cli/main.js';

main(['start', ...process.argv.slice(2)]);
