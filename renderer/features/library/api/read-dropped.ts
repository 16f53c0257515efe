/**
 * Files from a drop: plain files, and folders walked recursively through the entries API
 * (`webkitGetAsEntry`), which is the only way a browser hands over a dropped folder's contents.
 */
function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in chunks (100 in Chromium) until it returns an empty array.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((chunk) => {
        if (chunk.length === 0) resolve(out);
        else {
          out.push(...chunk);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) out.push(await fileOf(entry as FileSystemFileEntry));
  else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

export async function filesFromDataTransfer(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items]
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    const out: File[] = [];
    for (const e of entries) await walk(e as FileSystemEntry, out);
    return out;
  }
  return [...dt.files];
}
