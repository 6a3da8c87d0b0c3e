// A node:test reporter that writes the path of every test file that started, one per line.
export default async function* fileCountReporter(source) {
  const seen = new Set();
  for await (const event of source) {
    const file = event.data?.file;
    if (
      file &&
      !seen.has(file) &&
      (event.type === 'test:start' || event.type === 'test:pass' || event.type === 'test:fail')
    ) {
      seen.add(file);
      yield `${file}\n`;
    }
  }
}
