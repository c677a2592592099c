#!/usr/bin/env python3
"""Structure-aware fuzzing of stacksim's inputs (issue 12, docs/testing.md).

Takes the shipped topologies and experiments and tests/corpus, mutates them as a user could
get them wrong (type swaps, duplicate keys, empty and huge values, extreme units, renamed
references, deleted keys), and feeds each mutant to `stacksim validate`, then to `analyze`
and a short `run` when it validates. A finding is:
  crash      a signal, a sanitizer report, or an exit code other than the documented 0/1/2
  hang       no exit within the timeout
  unlocated  a rejection (exit 2) whose message does not name the file and a JSON pointer
  library    a library's own message reaching the user ("[json.exception...", "what():")
Every finding is saved with its command line under --keep. Exit status 1 when any is found.

  scripts/fuzz.py --exe build/release/cli/stacksim --count 10000 --jobs 2 --keep out/fuzz
"""
import argparse
import concurrent.futures as futures
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Obj(list):
    """A JSON object as a list of (key, value) pairs: it can hold a key twice."""


class Raw(str):
    """A token written verbatim (a number literal Python cannot hold, such as 1e999)."""


def strip_comments(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('//', i):
            while i < n and text[i] != '\n':
                i += 1
        elif text.startswith('/*', i):
            end = text.find('*/', i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def load(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    try:
        return json.loads(strip_comments(text), object_pairs_hook=Obj)
    except ValueError:
        return None  # a corpus file that is broken on purpose


def dump(v):
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, Obj):
        return '{' + ', '.join(json.dumps(k) + ': ' + dump(x) for k, x in v) + '}'
    if isinstance(v, list):
        return '[' + ', '.join(dump(x) for x in v) + ']'
    if isinstance(v, float) and (v != v or v in (float('inf'), float('-inf'))):
        return '1e999'
    return json.dumps(v)


def slots(v, out):
    """Every (container, index) in the tree, for picking a mutation site."""
    if isinstance(v, Obj):
        for i in range(len(v)):
            out.append((v, i))
            slots(v[i][1], out)
    elif isinstance(v, list) and not isinstance(v, Raw):
        for i in range(len(v)):
            out.append((v, i))
            slots(v[i], out)
    return out


def get(c, i):
    return c[i][1] if isinstance(c, Obj) else c[i]


def put(c, i, x):
    if isinstance(c, Obj):
        c[i] = (c[i][0], x)
    else:
        c[i] = x


def names_in(v, out):
    if isinstance(v, Obj):
        for k, x in v:
            out.add(k)
            names_in(x, out)
    elif isinstance(v, list):
        for x in v:
            names_in(x, out)
    elif isinstance(v, str) and len(v) < 40:
        out.add(v)
    return out


UNITS = ['0s', '0', 0, '1ns', '0.000001us', '366d', '367d', '1e9ms', '-1s', 'NaNs', 'infs', '1e400s', '1M/min',
         '0rps', '1e12rps', '1e-300rps', '0.0001/h', '1PiB', '0B', '1e30GiB', '1Tbps', '0bps', '100%', '0%',
         '-5%', '101%', '1e-12', 'ms', '5', '5 min', '5minutes', '٣ms', '1,5s', ' 2ms', '2ms ', '$0.01/h',
         '-$1/h', '1k', '1G', '1e15', '250k', '0x10']
HUGE = [1e308, -1e308, 10 ** 30, -(10 ** 19), 2 ** 63, 2 ** 64, 2 ** 53 + 1, Raw('1e999'), Raw('-1e999'), 1e-320,
        4294967296, 2147483648]


def mutate(doc, rng):
    """Applies one mutation; returns its description."""
    sites = slots(doc, [])
    if not sites:
        return 'none'
    c, i = rng.choice(sites)
    v = get(c, i)
    op = rng.randrange(12)
    if op == 0:  # type swap
        choices = [0, 1, -1, 2.5, True, False, None, '', 'x', [], Obj(), [v], Obj([('value', v)]), str(v)[:30]]
        put(c, i, rng.choice(choices))
        return 'type swap'
    if op == 1 and isinstance(c, Obj):  # duplicate key
        k = c[i][0]
        c.insert(rng.randrange(len(c) + 1), (k, rng.choice([v, 0, '', '1s', None])))
        return 'duplicate key'
    if op == 2:  # empty value
        put(c, i, rng.choice(['', [], Obj(), 0]))
        return 'empty value'
    if op == 3:  # huge number
        put(c, i, rng.choice(HUGE))
        return 'huge number'
    if op == 4:  # huge string or array
        if isinstance(v, list) and v and not isinstance(v, Obj):
            put(c, i, v * rng.choice([10, 50, 200]))
            return 'huge array'
        put(c, i, rng.choice(['x' * 10000, 'é' * 3000, '\u0000', '\\', '/', '~1', '../' * 20 + 'etc/passwd']))
        return 'huge or odd string'
    if op in (5, 6):  # extreme unit
        put(c, i, rng.choice(UNITS))
        return 'extreme unit'
    if op == 7:  # renamed reference: a string takes another name found in the document
        names = sorted(names_in(doc, set()))
        put(c, i, rng.choice(names) if names else '')
        return 'renamed reference'
    if op == 8 and isinstance(c, Obj):  # renamed key (the references to it now dangle)
        names = sorted(names_in(doc, set()))
        c[i] = (rng.choice(names + ['', '_note', '$x', c[i][0] + 'x', c[i][0].upper()]), v)
        return 'renamed key'
    if op == 9:  # deleted key or element
        del c[i]
        return 'deleted key'
    if op == 10 and isinstance(v, (int, float)) and not isinstance(v, bool):
        put(c, i, rng.choice([0, -v, v * 1000, v / 1000, v + 0.5, -1]))
        return 'number edge'
    if op == 11 and isinstance(v, str):
        put(c, i, rng.choice(['', v + v, v[:-1], v.upper(), ' ' + v, v + '\n', '0' + v, '-' + v]))
        return 'string edit'
    put(c, i, rng.choice(UNITS + HUGE))
    return 'extreme value'


def gentle(doc, rng):
    """A mutation that usually keeps the file valid, so that analyze and run see odd but legal
    stacks: scaled numbers, repeated array elements, names swapped, optional keys dropped."""
    sites = slots(doc, [])
    if not sites:
        return 'none'
    c, i = rng.choice(sites)
    v = get(c, i)
    op = rng.randrange(4)
    if op == 0 and isinstance(v, (int, float)) and not isinstance(v, bool):
        f = rng.choice([0.5, 2, 3, 10, 100])
        put(c, i, type(v)(v * f) if isinstance(v, int) else v * f)
        return 'scaled number'
    if op == 1 and isinstance(v, list) and v and not isinstance(v, Obj):
        put(c, i, v + [_copy(rng.choice(v)) for _ in range(rng.randrange(1, 4))])
        return 'repeated element'
    if op == 2 and isinstance(v, str):
        same = [x for x in names_in(doc, set()) if x != v and (x[:1].isdigit() == v[:1].isdigit())]
        if same:
            put(c, i, rng.choice(sorted(same)))
            return 'swapped name'
    if isinstance(c, Obj):
        del c[i]
        return 'deleted key'
    return mutate(doc, rng)


def bases():
    """(name, document, kind) for every file to start from; experiments reference absolute paths."""
    files = []
    for d in ('topologies', 'experiments', 'tests/corpus/good', 'tests/corpus/bad'):
        full = os.path.join(ROOT, d)
        if os.path.isdir(full):
            files += [os.path.join(full, f) for f in sorted(os.listdir(full)) if f.endswith('.json')]
    out = []
    for path in files:
        doc = load(path)
        if not isinstance(doc, Obj):
            continue
        keys = dict(doc)
        if 'topology' in keys:
            ref = keys['topology']
            if isinstance(ref, str):
                ref_path = os.path.normpath(os.path.join(os.path.dirname(path), ref))
                if not os.path.isfile(ref_path):  # a corpus file about a bad path: keep it as it is
                    out.append((os.path.relpath(path, ROOT), doc, 'experiment'))
                    continue
                doc = Obj((k, ref_path if k == 'topology' else x) for k, x in doc)
                inline = load(ref_path)
                out.append((os.path.relpath(path, ROOT), doc, 'experiment'))
                if isinstance(inline, Obj):  # the same experiment with its topology inline: mutations reach both
                    out.append((os.path.relpath(path, ROOT) + '+inline',
                                Obj((k, inline if k == 'topology' else x) for k, x in doc), 'experiment'))
                continue
            out.append((os.path.relpath(path, ROOT), doc, 'experiment'))
        else:
            out.append((os.path.relpath(path, ROOT), doc, 'topology'))
    return out


def run(cmd, timeout, env):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
        return p.returncode, p.stderr.decode('utf-8', 'replace'), time.time() - t0
    except subprocess.TimeoutExpired:
        return None, '', time.time() - t0


def judge(step, rc, err, path):
    if rc is None:
        return 'hang'
    if rc < 0 or rc not in (0, 1, 2):
        return 'crash'
    if re.search(r'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|terminate called|Aborted', err):
        return 'crash'
    if '[json.exception' in err or 'what():' in err or 'boost::' in err:
        return 'library'
    if rc == 2 and step == 'validate':
        located = [l for l in err.splitlines() if l.startswith(path + ':/') or
                   re.match(re.escape(path) + r': (not valid JSON at line \d+|missing required key|expected )', l)]
        if not located:
            return 'unlocated'
    if rc == 2 and step != 'validate' and path not in err:
        return 'unlocated'
    return None


def one(case):
    idx, seed, args, base_list, workdir = case
    rng = random.Random(seed * 1000003 + idx)
    good = [b for b in base_list if '/bad/' not in b[0]]
    bad = [b for b in base_list if '/bad/' in b[0]]
    name, base, kind = rng.choice(bad if bad and rng.random() < 0.15 else good)
    doc = _copy(base)
    if rng.random() < 0.4:
        ops = [gentle(doc, rng) for _ in range(rng.choice([1, 1, 2, 3]))]
    else:
        ops = [mutate(doc, rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    path = os.path.join(workdir, f'fuzz-{idx}.json')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(dump(doc))
    env = dict(os.environ, ASAN_OPTIONS='detect_leaks=0:abort_on_error=1')
    results = []
    steps = [('validate', [args.exe, 'validate', path], args.timeout)]
    if kind == 'experiment':
        steps.append(('analyze', [args.exe, 'analyze', path], args.timeout))
        if rng.random() < args.run_fraction:
            out = os.path.join(workdir, f'out-{idx}')
            steps.append(('run', [args.exe, 'run', path, '--quiet', '--set', 'duration=1s', '--set', 'warmup=0',
                                  '--set', 'interval=1s', '--out', out], args.run_timeout))
    for step, cmd, timeout in steps:
        rc, err, wall = run(cmd, timeout, env)
        finding = judge(step, rc, err, path)
        results.append((step, rc, wall, finding, err[-2000:], cmd))
        if finding or rc != 0:
            break  # a rejected file is not analysed or run
    shutil.rmtree(os.path.join(workdir, f'out-{idx}'), ignore_errors=True)
    text = open(path, encoding='utf-8').read()
    os.remove(path)
    return idx, name, ops, results, text


def _copy(v):
    if isinstance(v, Obj):
        return Obj((k, _copy(x)) for k, x in v)
    if isinstance(v, list) and not isinstance(v, Raw):
        return [_copy(x) for x in v]
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--exe', default=os.path.join(ROOT, 'build/release/cli/stacksim'))
    ap.add_argument('--count', type=int, default=10000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--timeout', type=float, default=30, help='seconds for validate and analyze')
    ap.add_argument('--run-timeout', type=float, default=120, help='seconds for a 1 s run')
    ap.add_argument('--run-fraction', type=float, default=0.1, help='share of valid experiments also run')
    ap.add_argument('--keep', default='', help='directory for the inputs of findings')
    ap.add_argument('--json', default='', help='write the campaign counts here')
    args = ap.parse_args()
    args.exe = os.path.abspath(args.exe)
    base_list = bases()
    if not base_list:
        sys.exit('no base files found under ' + ROOT)
    workdir = tempfile.mkdtemp(prefix='stacksim-fuzz-')
    counts = {'inputs': 0, 'validate_ok': 0, 'rejected': 0, 'analyzed': 0, 'runs': 0, 'crash': 0, 'hang': 0,
              'unlocated': 0, 'library': 0, 'ops': {}, 'slowest_s': 0.0}
    findings = []
    t0 = time.time()
    try:
        with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            cases = ((i, args.seed, args, base_list, workdir) for i in range(args.count))
            for idx, name, ops, results, text in pool.map(one, cases, chunksize=1):
                counts['inputs'] += 1
                for o in ops:
                    counts['ops'][o] = counts['ops'].get(o, 0) + 1
                for step, rc, wall, finding, err, cmd in results:
                    counts['slowest_s'] = max(counts['slowest_s'], round(wall, 2))
                    if step == 'validate':
                        counts['validate_ok' if rc == 0 else 'rejected'] += 1
                    elif step == 'analyze':
                        counts['analyzed'] += 1
                    else:
                        counts['runs'] += 1
                    if finding:
                        counts[finding] += 1
                        findings.append((idx, name, ops, step, rc, err, cmd, text))
                        print(f'FINDING {finding}: input {idx} (from {name}, {", ".join(ops)}): {step} exit {rc}\n'
                              f'  {err.strip()[-600:]}', flush=True)
                        if args.keep:
                            os.makedirs(args.keep, exist_ok=True)
                            with open(os.path.join(args.keep, f'{finding}-{idx}.json'), 'w', encoding='utf-8') as f:
                                f.write(f'// {finding} in `{step}` (exit {rc}), from {name}: {", ".join(ops)}\n{text}')
                if counts['inputs'] % 500 == 0:
                    print(f'.. {counts["inputs"]} inputs, {len(findings)} findings, {time.time() - t0:.0f}s', flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    counts['wall_s'] = round(time.time() - t0, 1)
    summary = (f'{counts["inputs"]} inputs ({counts["validate_ok"]} valid, {counts["rejected"]} rejected, '
               f'{counts["analyzed"]} analyzed, {counts["runs"]} runs): {counts["crash"]} crashes, {counts["hang"]} hangs, '
               f'{counts["unlocated"]} rejections without file + pointer, {counts["library"]} library messages '
               f'[{counts["wall_s"]}s, slowest step {counts["slowest_s"]}s]')
    print(summary)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(counts, f, indent=1)
    sys.exit(1 if findings else 0)


if __name__ == '__main__':
    main()
