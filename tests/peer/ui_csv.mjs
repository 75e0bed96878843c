// Prints the UI's CSV export (`resultToCsv` of ui/export.js) of the result in the JSON file
// argv[2], for the peer test comparing it with the server's `?format=csv`.
import { readFileSync } from 'node:fs';
import { resultToCsv } from '../../ui/export.js';

process.stdout.write(resultToCsv(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
