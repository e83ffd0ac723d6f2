#!/usr/bin/env python3
"""run.py - grade generated programs and check what the grader makes of them.

    tests/progfuzz/run.sh [--count N] [--master S] [--modes full,reduced]
                          [--only K] [--batch B] [--keep]

(run.sh starts this inside tests/guard.sh; do not run generated programs
outside the guard.) Programs come from gen.py: --master S --count N are
programs 0..N-1 of master seed S; --only K replays program K of S alone.

Every program runs under `ipcgrade run --json` in every mode; each run must
  - make ipcgrade exit 0 and print exactly one JSON object,
  - never give the verdict internal_error,
  - end within its wall limit plus 2 s (measured here, ipcgrade included,
    less the wait for its turn that a reduced run's notes name and the
    extension the run got for the time it waited for a CPU),
  - kill what the first process leaves when it ends, and count it: a
    program whose first process printed "pf-end" (its last act) must not
    show more than MAX_AFTER_END worker lines after it (a worker prints
    one every 20 ms, so more means its process outlived the first one,
    e.g. a child whose main thread called pthread_exit), and if it shows
    more, leftover_processes must not be 0,
  - leave the host as it was: no process left in the guard's PID
    namespace, no process handed to us (we are a child subreaper, so an
    orphan or zombie of the run would come here), no /dev/shm entry, POSIX
    queue (read through a private mqueue mount), System V object or /tmp
    entry that the program made (named /ipcgrade-pf-SEED-N, keyed from
    the seed, or created by a process of our PID namespace).
A failure prints the program's seed, the mode and a command that replays
it. Exit status: 0 all clean, 1 some run failed, 2 setup error.
"""
import argparse
import ctypes
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

LIMITS = ['--timeout', '2000', '--cpu-ms', '2000', '--memory-mb', '128', '--processes', '64',
          '--output-kb', '256', '--deadlock-after-ms', '300']
WALL_S = 2.0
MAX_AFTER_END = 3
SLACK_S = 2.0
PR_SET_CHILD_SUBREAPER = 36


def say(*a):
    print(*a, flush=True)


class Host:
    """What the runs may change on the host, attributable to this runner."""

    def __init__(self, workdir):
        self.mq_dir = None
        if os.geteuid() == 0:
            d = os.path.join(workdir, 'mqueue')
            os.mkdir(d)
            # our own mount namespace (the guard made one): the host's
            # queues, whether or not /dev/mqueue is mounted
            if subprocess.run(['mount', '-t', 'mqueue', 'none', d],
                              stderr=subprocess.DEVNULL).returncode == 0:
                self.mq_dir = d
        self.me = os.getpid()

    def close(self):
        if self.mq_dir:
            subprocess.run(['umount', self.mq_dir], stderr=subprocess.DEVNULL)

    @staticmethod
    def _ls(d):
        try:
            return set(os.listdir(d))
        except OSError:
            return set()

    @staticmethod
    def _sysv(kind):
        out = set()
        try:
            with open('/proc/sysvipc/' + kind) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            return out
        for line in lines:
            f = line.split()
            if len(f) < 8:
                continue
            # key id ... ; shm: cpid is field 5 (key shmid perms size cpid);
            # msg: lspid field 6; sem: no pid (0)
            key, ident = int(f[0]), f[1]
            pid = int(f[4]) if kind == 'shm' else int(f[6]) if kind == 'msg' else 0
            out.add((kind, ident, key, pid))
        return out

    def procs(self):
        """Processes of our PID namespace but pid 1, our ancestors and us."""
        keep = set()
        p = self.me
        while p > 1:
            keep.add(p)
            try:
                with open('/proc/%d/stat' % p) as f:
                    p = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                break
        out = {}
        for e in os.listdir('/proc'):
            if not e.isdigit():
                continue
            pid = int(e)
            if pid == 1 or pid in keep:
                continue
            try:
                with open('/proc/%d/stat' % pid) as f:
                    s = f.read()
                ppid = int(s.rsplit(')', 1)[1].split()[1])
                comm = s[s.index('(') + 1:s.rindex(')')]
            except (OSError, ValueError):
                continue
            out[pid] = (ppid, comm)
        return out

    def snapshot(self):
        s = {'shm': self._ls('/dev/shm'), 'tmp': self._ls('/tmp'), 'vartmp': self._ls('/var/tmp')}
        s['mq'] = self._ls(self.mq_dir) if self.mq_dir else set()
        s['sysv'] = self._sysv('shm') | self._sysv('sem') | self._sysv('msg')
        return s

    def diff(self, before, after, tag, key_base):
        """What is new and attributable to the program with this tag."""
        found = []
        # Only names of this program's tag: another progfuzz on the same
        # host (a second runner, make test's slice) makes objects of its
        # own programs' tags, which come and go meanwhile.
        for kind in ('shm', 'mq', 'tmp', 'vartmp'):
            for name in sorted(after[kind] - before[kind]):
                if 'ipcgrade-pf-' + tag in name:
                    found.append('%s entry %s' % (kind, name))
        for (kind, ident, key, pid) in sorted(after['sysv'] - before['sysv']):
            ours = (key & 0xff000000) == 0x50000000 and (key & 0xffff00) == key_base
            if ours or pid > 0:
                found.append('System V %s id %s (key %#x, pid %d in our namespace)'
                             % (kind, ident, key, pid))
        return found

    def cleanup(self, before, after, tag):
        """Remove what a failed run left that is ours, so the next starts clean."""
        for name in after['shm'] - before['shm']:
            if tag in name:
                try:
                    os.unlink('/dev/shm/' + name)
                except OSError:
                    pass
        if self.mq_dir:
            for name in after['mq'] - before['mq']:
                if tag in name:
                    try:
                        os.unlink(os.path.join(self.mq_dir, name))
                    except OSError:
                        pass
        for (kind, ident, key, pid) in after['sysv'] - before['sysv']:
            if pid > 0 or (key & 0xff000000) == 0x50000000:
                flag = {'shm': '-m', 'sem': '-s', 'msg': '-q'}[kind]
                subprocess.run(['ipcrm', flag, ident], stderr=subprocess.DEVNULL)


def reap_handed(me):
    """Children of ours other than the ones we started: orphans and
    zombies the run handed to its caller."""
    handed = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            # still running children of ours: kill them, then reap
            break
        handed.append(pid)
    return handed


def kill_strays(host):
    strays = host.procs()
    for pid in strays:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.time() + 2
    while time.time() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.01)
        except ChildProcessError:
            break
        if not host.procs():
            break
    return strays


def after_end(obj):
    """Processes that outlived the first one: worker lines after pf-end."""
    out = obj.get('stdout') or ''
    end = out.find('pf-end\n')
    if end < 0 or obj.get('stdout_truncated'):
        return []
    late = sum(1 for line in out[end:].splitlines() if line.startswith('thread line'))
    problems = []
    if late > MAX_AFTER_END:
        problems.append('%d worker lines after the first process ended: a process it left was not '
                        'killed then' % late)
    if late > MAX_AFTER_END and not obj.get('leftover_processes'):
        problems.append('and leftover_processes is 0: the process that printed them was not counted')
    return problems


def turn_wait(obj):
    """Seconds the run waited for other reduced runs on the machine (other
    developers' suites, say), as its notes say: not the run's time."""
    for note in obj.get('notes') or []:
        m = re.match(r'waited ([0-9.]+) s for other reduced runs', str(note))
        if m:
            return float(m.group(1))
    return 0.0


def cpu_wait_extension(obj):
    """Seconds the wall limit was extended for the time the program waited
    for a busy machine's CPUs (wall_extended_ms): the run's own time, but
    granted by ipcgrade on purpose, so the limit checked here grows by it."""
    try:
        return float(obj.get('wall_extended_ms') or 0) / 1000.0
    except (TypeError, ValueError):
        return 0.0


def check_run(ipcgrade, binary, k, mode, host, seed, master):
    tag = '%016x' % seed
    key_base = (seed >> 8) & 0xffff00
    before = host.snapshot()
    cmd = [ipcgrade, 'run', '--json', '--isolation', mode] + LIMITS + ['--', binary, str(k)]
    t0 = time.monotonic()
    problems = []
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           timeout=WALL_S + SLACK_S + 20, start_new_session=True)
        elapsed = time.monotonic() - t0
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        elapsed = time.monotonic() - t0
        out, err, rc = e.stdout or b'', e.stderr or b'', None
        problems.append('ipcgrade did not end within %.0f s' % (WALL_S + SLACK_S + 20))
    verdict = '?'
    waited = 0.0
    if rc is not None and rc != 0:
        problems.append('ipcgrade exited %d: %s' % (rc, err.decode(errors='replace').strip()[:300]))
    try:
        text = out.decode('utf-8')
        obj, end = json.JSONDecoder().raw_decode(text)
        if text[end:].strip():
            problems.append('more than one JSON value on stdout')
        elif not isinstance(obj, dict):
            problems.append('stdout is JSON but not an object')
        else:
            verdict = obj.get('verdict', '?')
            if verdict == 'internal_error':
                problems.append('internal_error: %s' % obj.get('error', obj.get('verdict_detail', '')))
            for key in ('verdict', 'exit_code', 'wall_ms', 'isolation', 'stdout', 'leftover_processes'):
                if key not in obj:
                    problems.append('JSON lacks "%s"' % key)
            if obj.get('isolation') not in (None, mode):
                problems.append('ran in %s isolation, not %s' % (obj.get('isolation'), mode))
            problems += after_end(obj)
            waited = turn_wait(obj) + cpu_wait_extension(obj)
    except (UnicodeDecodeError, ValueError) as e:
        problems.append('stdout is not one JSON object (%s): %r' % (e, out[:200]))
    if elapsed - waited > WALL_S + SLACK_S:
        problems.append('took %.2f s (%.2f s of it waiting for its turn or for a CPU), over the %.1f s wall limit + %.0f s'
                        % (elapsed, waited, WALL_S, SLACK_S))
    handed = reap_handed(host.me)
    if handed:
        problems.append('%d process(es) of the run were handed to the caller: %s' % (len(handed), handed[:10]))
    strays = host.procs()
    if strays:
        problems.append('processes left: %s' % ', '.join('%d(%s)' % (p, c[1]) for p, c in list(strays.items())[:10]))
        kill_strays(host)
    after = host.snapshot()
    left = host.diff(before, after, tag, key_base)
    if left:
        problems.append('left on the host: %s' % '; '.join(left[:10]))
        host.cleanup(before, after, tag)
    return verdict, elapsed, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ipcgrade', default=os.environ.get('IPCGRADE', 'build/ipcgrade'))
    ap.add_argument('--master', type=int, default=None, help='master seed (default: random, printed)')
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--first', type=int, default=0)
    ap.add_argument('--only', type=int, default=None, help='replay program K of the master seed')
    ap.add_argument('--batch', type=int, default=100)
    ap.add_argument('--modes', default='full,reduced')
    ap.add_argument('--keep', action='store_true', help='keep the work folder')
    a = ap.parse_args()

    ipcgrade = os.path.abspath(a.ipcgrade)
    if not os.access(ipcgrade, os.X_OK):
        say('run.py: no grader at %s' % ipcgrade)
        return 2
    master = a.master if a.master is not None else random.SystemRandom().randrange(1, 1 << 31)
    if a.only is not None:
        first, count = a.only, 1
    else:
        first, count = a.first, a.count
    modes = [m for m in a.modes.split(',') if m]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        say('run.py: cannot become a child subreaper')
        return 2

    work = tempfile.mkdtemp(prefix='ipcgrade-progfuzz.')
    os.chmod(work, 0o755)
    host = Host(work)
    if not host.mq_dir:
        say('note: POSIX queues on the host cannot be listed here (no private mqueue mount: not root?)')
    say('progfuzz: master seed %d, programs %d..%d, modes %s, limits %s'
        % (master, first, first + count - 1, ','.join(modes), ' '.join(LIMITS)))
    t_start = time.monotonic()
    failures = 0
    runs = 0
    verdicts = {}
    try:
        for b0 in range(first, first + count, a.batch):
            ks = list(range(b0, min(b0 + a.batch, first + count)))
            seeds = [gen.program_seed(master, k) for k in ks]
            src = os.path.join(work, 'progs.c')
            binary = os.path.join(work, 'progs')
            gen.write_file(seeds, src)
            c = subprocess.run(['gcc', '-std=gnu11', '-O0', '-w', '-o', binary, src, '-pthread', '-lrt'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if c.returncode != 0:
                say('run.py: generated batch does not compile (master %d, programs %d..%d):\n%s'
                    % (master, ks[0], ks[-1], c.stdout.decode(errors='replace')[-2000:]))
                return 2
            for i, k in enumerate(ks):
                for mode in modes:
                    verdict, elapsed, problems = check_run(ipcgrade, binary, i, mode, host, seeds[i], master)
                    runs += 1
                    verdicts[(mode, verdict)] = verdicts.get((mode, verdict), 0) + 1
                    if problems:
                        failures += 1
                        say('FAIL program %d of master %d (seed %d), %s isolation, verdict %s, %.2f s:'
                            % (k, master, seeds[i], mode, verdict, elapsed))
                        for p in problems:
                            say('    ' + p)
                        say('    replay: tests/progfuzz/run.sh --master %d --only %d --modes %s'
                            % (master, k, mode))
            done = ks[-1] - first + 1
            say('  %d/%d programs, %d runs, %d failed, %.0f s' % (done, count, runs, failures,
                                                                time.monotonic() - t_start))
    finally:
        host.close()
        if a.keep:
            say('work folder kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - t_start
    say('verdicts: ' + ', '.join('%s %s %d' % (m, v, n) for (m, v), n in sorted(verdicts.items())))
    say('progfuzz: %d programs, %d runs, %d failed, %.0f s (master seed %d)'
        % (count, runs, failures, total, master))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
