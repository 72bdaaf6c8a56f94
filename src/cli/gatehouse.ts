/** The `gatehouse` command's entry: bin/gatehouse.js loads it from src/ (with tsx) or dist/; `npm start` runs dist/cli/gatehouse.js start. */
import { main } from './main.js';

main(process.argv.slice(2));
