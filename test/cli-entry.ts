// Runs the `eoc` command from the TypeScript sources (tests spawn it with `node --import tsx`).
import { main } from '../src/main.js';

await main(process.argv);
