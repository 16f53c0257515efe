import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../main/cli/main';

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('face-age CLI', () => {
  it('lists every command in --help and has --help for each', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const name of ['detect', 'age', 'train', 'finetune', 'eval', 'bench']) {
      expect(help.out).toContain(name);
      const sub = await cli(name, '--help');
      expect(sub.code, name).toBe(0);
      expect(sub.out).toContain(`Usage: face-age ${name}`);
    }
    expect(help.out).toContain('--library DIR');
    expect(help.out).toContain('--backend NAME');
  });

  it('train and finetune without their required options answer a usage error (64), as text or JSON, never with output', async () => {
    // Every command is implemented now (train/finetune: tests/unit/main/cli/finetune.test.ts).
    for (const name of ['train', 'finetune']) {
      const text = await cli(name, 'photo.jpg');
      expect(text.code, name).toBe(64);
      expect(text.out).toBe('');
      expect(text.err).toMatch(/required|must be/);
      const json = await cli(name, 'photo.jpg', '--json', '--library', '/tmp/lib');
      expect(json.code).toBe(64);
      expect(JSON.parse(json.out)).toEqual({ ok: false, error: { code: 'invalid-payload', message: expect.any(String) } });
    }
  });

  it('exits 64 on usage errors', async () => {
    expect((await cli('frobnicate')).code).toBe(64);
    expect((await cli('bench', '--backend', 'quantum')).code).toBe(64);
    expect((await cli('bench', '--pings', 'many')).code).toBe(64);
    expect((await cli('detect', '--no-such-flag')).code).toBe(64);
    const json = await cli('bench', '--json', '--runs', '-1');
    expect(json.code).toBe(64);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
  });
});
