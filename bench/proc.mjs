// /proc readings of PostgreSQL backends for the benchmark drivers (driver.mjs, index_bench.mjs):
// a process's memory, resetting its peak, and a sampler that follows a backend's parallel
// workers (their peak and private memory), its own private memory and the POSIX dynamic shared
// memory segments made meanwhile, every 10 ms while a query runs.
import fs from 'node:fs';

export function procStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1] || NaN);
    return { VmHWM: kb('VmHWM'), VmRSS: kb('VmRSS'), RssAnon: kb('RssAnon'), RssFile: kb('RssFile'), RssShmem: kb('RssShmem') };
  } catch {
    return null;
  }
}

// Resets VmHWM to the current RSS; false where /proc does not allow it.
export function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function ppidOf(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function childrenOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// POSIX dynamic shared memory: one file per segment in /dev/shm
function shmSegments() {
  const out = new Map();
  try {
    for (const f of fs.readdirSync('/dev/shm')) {
      if (!f.startsWith('PostgreSQL.')) continue;
      try { out.set(f, fs.statSync(`/dev/shm/${f}`).size); } catch {}
    }
  } catch {}
  return out;
}

// Starts sampling; the function returned stops it and gives what was seen.
export function sampler(leaderPid) {
  const postmaster = ppidOf(leaderPid);
  const base = shmSegments();
  const peaks = new Map();
  const anonPeaks = new Map(); // private memory (RssAnon): a mapped file and shared buffers are not in it
  let leaderAnonPeak = 0;
  const others = new Set();
  const newSegs = new Map();
  let shmPeak = 0;
  const tag = `parallel worker for PID ${leaderPid}`;
  const tick = () => {
    for (const pid of childrenOf(postmaster)) {
      if (others.has(pid)) continue;
      if (!peaks.has(pid)) {
        let cmd = '';
        try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
        if (!cmd.includes(tag)) { others.add(pid); continue; }
      }
      const st = procStatus(pid);
      if (st && st.VmHWM > (peaks.get(pid) || 0)) peaks.set(pid, st.VmHWM);
      if (st && st.RssAnon > (anonPeaks.get(pid) || 0)) anonPeaks.set(pid, st.RssAnon);
    }
    const ls = procStatus(leaderPid);
    if (ls && ls.RssAnon > leaderAnonPeak) leaderAnonPeak = ls.RssAnon;
    let sum = 0;
    for (const [f, sz] of shmSegments()) {
      if (base.has(f)) continue;
      sum += sz;
      if (sz > (newSegs.get(f) || 0)) newSegs.set(f, sz);
    }
    shmPeak = Math.max(shmPeak, sum);
  };
  const timer = postmaster ? setInterval(tick, 10) : null;
  return () => {
    if (timer) clearInterval(timer);
    const v = [...peaks.values()];
    const va = [...anonPeaks.values()];
    const segs = [...newSegs.values()];
    return {
      workers_seen: v.length, worker_peak_max_kb: v.length ? Math.max(...v) : null,
      worker_peak_sum_kb: v.length ? v.reduce((a, b) => a + b, 0) : null,
      leader_anon_peak_kb: leaderAnonPeak, worker_anon_peak_max_kb: va.length ? Math.max(...va) : null,
      dsm_peak_bytes: shmPeak, dsm_largest_segment_bytes: segs.length ? Math.max(...segs) : 0, dsm_segments: segs.length,
    };
  };
}
