/** Opens a journal and prints what happened as JSON (`{"ok":true}` or the JournalError's code and message). */
import { Journal, JournalError } from '../../../main/node/journal/journal.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: open.ts <journal>');
try {
  Journal.open(file).close();
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (e) {
  if (!(e instanceof JournalError)) throw e;
  process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.message }));
}
