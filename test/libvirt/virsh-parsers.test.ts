import { describe, expect, it } from 'vitest';

import { jobFraction, parseCapabilities, parseDomInfo, parseDomJobInfo, parseDomState, parseDomStats, parseDomainNames, parseNodeInfo, parseNodeMemStats, parseXml } from '../../src/cluster/virsh/index.js';
import { recorded } from './recorded.js';

function value<T>(p: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!p.ok) throw new Error(`expected a value, got: ${p.error}`);
  return p.value;
}

function error(p: { ok: boolean; error?: string }): string {
  expect(p.ok).toBe(false);
  return p.error ?? '';
}

describe('virsh nodeinfo', () => {
  it('reads CPUs, memory and frequency from recorded output', () => {
    expect(value(parseNodeInfo(recorded('nodeinfo.txt')))).toEqual({ cpuModel: 'x86_64', cpus: 2, memoryKiB: 4548824, mhz: 2599 });
  });
  it('locates garbage', () => {
    expect(error(parseNodeInfo('CPU(s): 2\nthis is not virsh\n'))).toBe('virsh nodeinfo output, line 2: expected \'label: value\', got "this is not virsh"');
    expect(error(parseNodeInfo('CPU(s): two\nMemory size: 1 KiB'))).toMatch(/line 1: CPU\(s\) must be a positive whole number/);
    expect(error(parseNodeInfo('CPU(s): 2\n'))).toMatch(/no 'Memory size:' line/);
    expect(error(parseNodeInfo('CPU(s): 2\nMemory size: lots'))).toMatch(/line 2: Memory size/);
    expect(error(parseNodeInfo(''))).toMatch(/no 'CPU\(s\):' line/);
  });
});

describe('virsh nodememstats', () => {
  it('reads total and free', () => {
    expect(value(parseNodeMemStats(recorded('nodememstats.txt')))).toEqual({ totalKiB: 4548824, freeKiB: 3112044, buffersKiB: 52184, cachedKiB: 803528 });
  });
  it('refuses free above total and non-amounts', () => {
    expect(error(parseNodeMemStats('total : 10 KiB\nfree : 20 KiB'))).toMatch(/line 2: free \(20 KiB\) exceeds total/);
    expect(error(parseNodeMemStats('total : 10 KiB\nfree : -3 KiB'))).toMatch(/line 2: "free" must be an amount/);
  });
});

describe('virsh capabilities', () => {
  it('reads the NUMA topology of a recorded host', () => {
    const caps = value(parseCapabilities(recorded('capabilities.xml')));
    expect(caps).toMatchObject({ uuid: '00000000-0000-4000-8000-000000000001', arch: 'x86_64', cpuModel: 'EPYC-Rome', cpus: 2, memoryKiB: 4548824 });
    expect(caps.cells).toEqual([{ id: 0, memoryKiB: 4548824, cpus: 2 }]);
  });
  it('sums several cells, honouring memory units', () => {
    const two = `<capabilities><host><topology><cells num='2'>
      <cell id='0'><memory unit='GiB'>2</memory><cpus num='1'><cpu id='0'/></cpus></cell>
      <cell id='1'><memory>1024</memory><cpus num='2'><cpu id='1'/><cpu id='2'/></cpus></cell>
    </cells></topology></host></capabilities>`;
    expect(value(parseCapabilities(two))).toMatchObject({ cpus: 3, memoryKiB: 2 * 1024 * 1024 + 1024 });
  });
  it('locates garbage by line and column, never throws', () => {
    expect(error(parseCapabilities('<capabilities>\n  <host>\n</capabilities>'))).toBe('virsh capabilities output, line 3:1: </capabilities> closes <host> (line 2)');
    expect(error(parseCapabilities('Segmentation fault'))).toMatch(/line 1:1: text outside the root element/);
    expect(error(parseCapabilities('<capabilities><host/></capabilities>'))).toMatch(/no <host><topology><cells>/);
    expect(error(parseCapabilities("<capabilities><host><topology><cells><cell id='0'><memory>x</memory><cpus/></cell></cells></topology></host></capabilities>"))).toMatch(/cell 0: memory must be a whole amount/);
    expect(error(parseCapabilities("<capabilities><host><topology><cells><cell id='0'><memory>1</memory><cpus num='3'><cpu id='0'/></cpus></cell></cells></topology></host></capabilities>"))).toMatch(/lists 1 <cpu>/);
    expect(error(parseCapabilities('<!DOCTYPE x [<!ENTITY a "aaaa">]><capabilities/>'))).toMatch(/DOCTYPE/);
    expect(error(parseCapabilities('<a>&bomb;</a>'))).toMatch(/unknown entity/);
    expect(error(parseCapabilities('<a b="1" b="2"/>'))).toMatch(/given twice/);
    expect(error(parseCapabilities('<a><b></a>'))).toMatch(/closes <b>/);
    expect(error(parseCapabilities('<a/><b/>'))).toMatch(/a second root/);
    expect(error(parseCapabilities('<a>'))).toMatch(/never closed/);
    expect(error(parseCapabilities(''))).toMatch(/no XML element/);
    expect(error(parseCapabilities('<'.repeat(1000)))).toMatch(/expected a name/);
    expect(error(parseCapabilities('<a>'.repeat(100)))).toMatch(/nested deeper than 64/);
  });
  it('decodes entities in text and attributes', () => {
    const doc = parseXml('x', "<a t='&lt;&amp;&#65;&#x42;'>x &gt; y</a>");
    expect(doc.ok && doc.value.attributes.get('t')).toBe('<&AB');
    expect(doc.ok && doc.value.text).toBe('x > y');
  });
  it('survives random bytes', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = "<>/='\" &;ab!?-\n";
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: next() % 80 }, () => alphabet[next() % alphabet.length]).join('');
      const r = parseCapabilities(text);
      expect(r.ok).toBe(false);
    }
  });
});

describe('virsh domstats --raw', () => {
  it('reads every domain of a recorded host', () => {
    const domains = value(parseDomStats(recorded('domstats.txt')));
    expect(domains.map((d) => [d.name, d.state, d.vcpus, d.maxMemoryKiB])).toEqual([
      ['vm1', 'running', 1, 65536],
      ['vm2', 'paused', 2, 131072],
      ['vm3', 'shut off', 1, 65536],
    ]);
    expect(domains[0]).toMatchObject({ rssKiB: 43124, cpuTimeNs: 6173424000, reason: 1 });
  });
  it("keeps a hostile name whole (quotes and all) without letting it forge a field", () => {
    const out = "Domain: 'a'b; rm -rf /'\n  state.state=1\n  vcpu.current=1\n  balloon.maximum=1024\n";
    expect(value(parseDomStats(out))[0]?.name).toBe("a'b; rm -rf /");
  });
  it('locates garbage', () => {
    expect(error(parseDomStats('  state.state=1\n'))).toMatch(/line 1: expected a Domain: header first/);
    expect(error(parseDomStats("Domain: 'x'\n  state.state=9\n"))).toMatch(/line 1: domain "x": state.state is missing or not one of libvirt's states/);
    expect(error(parseDomStats("Domain: 'x'\n  state.state=1\n  cpu.time=-1\n"))).toMatch(/cpu.time must be a whole number/);
    expect(error(parseDomStats("Domain: 'x'\n  state.state=1\nDomain: 'x'\n  state.state=1\n"))).toMatch(/line 3: domain "x" is listed twice/);
    expect(error(parseDomStats("Domain: x\n"))).toMatch(/expected Domain: 'name'/);
    expect(error(parseDomStats("Domain: 'x'\nnot indented=1\n"))).toMatch(/line 2: expected an indented key=value/);
  });
  it('an empty host has no domains', () => {
    expect(value(parseDomStats('\n'))).toEqual([]);
  });
});

describe('virsh dominfo, list, domstate', () => {
  it('reads a recorded dominfo', () => {
    expect(value(parseDomInfo(recorded('dominfo.txt')))).toEqual({ name: 'vm1', state: 'running', vcpus: 1, maxMemoryKiB: 65536, usedMemoryKiB: 65536, persistent: true });
  });
  it('refuses an unknown state and garbage', () => {
    expect(error(parseDomInfo('Name: a\nState: dancing\nCPU(s): 1\nMax memory: 1 KiB'))).toMatch(/line 2: unknown state "dancing"/);
    expect(error(parseDomInfo('Name: a\nState: running\nCPU(s): 1\n'))).toMatch(/no 'Max memory:' line/);
  });
  it('lists names, blank lines aside', () => {
    expect(value(parseDomainNames('vm1\nvm 2\n\n'))).toEqual(['vm1', 'vm 2']);
    expect(error(parseDomainNames('a\na\n'))).toMatch(/listed twice/);
  });
  it('reads one state', () => {
    expect(value(parseDomState('shut off\n\n'))).toBe('shut off');
    expect(error(parseDomState('running\nrunning\n'))).toMatch(/expected one of libvirt's states/);
  });
});

describe('virsh domjobinfo', () => {
  it('reads a running migration and its progress', () => {
    const job = value(parseDomJobInfo(recorded('domjobinfo-running.txt')));
    expect(job).toEqual({ type: 'Unbounded', operation: 'Outgoing migration', elapsedMs: 6012, processedBytes: 53 * 2 ** 20, remainingBytes: 43 * 2 ** 20, totalBytes: 80 * 2 ** 20 });
    expect(jobFraction(job)).toBeCloseTo(53 / 96, 5);
  });
  it('reads no job', () => {
    const job = value(parseDomJobInfo(recorded('domjobinfo-none.txt')));
    expect(job).toEqual({ type: 'None' });
    expect(jobFraction(job)).toBeUndefined();
  });
  it('locates garbage', () => {
    expect(error(parseDomJobInfo('Job type: Unbounded\nData processed: many'))).toMatch(/line 2: Data processed must be an amount/);
    expect(error(parseDomJobInfo('Time elapsed: 3 ms'))).toMatch(/no 'Job type:' line/);
    expect(error(parseDomJobInfo('Job type: Unbounded\nTime elapsed: soon'))).toMatch(/line 2: Time elapsed/);
  });
});

describe('output recorded on the test bed (libvirt 9.0, real QEMU hosts)', () => {
  it('reads a real host: capabilities, nodeinfo, nodememstats', () => {
    expect(value(parseCapabilities(recorded('real-capabilities.xml')))).toMatchObject({ cpus: 2, memoryKiB: 24683748 });
    expect(value(parseNodeInfo(recorded('real-nodeinfo.txt')))).toEqual({ cpuModel: 'x86_64', cpus: 2, memoryKiB: 24683748, mhz: 2096 });
    expect(value(parseNodeMemStats(recorded('real-nodememstats.txt')))).toMatchObject({ totalKiB: 24683748, freeKiB: 19882936 });
  });
  it('reads real domain stats and dominfo (its taint message line included)', () => {
    const domains = value(parseDomStats(recorded('real-domstats.txt')));
    expect(domains.map((d) => [d.name, d.state, d.vcpus, d.maxMemoryKiB])).toEqual([
      ['vm12', 'running', 2, 98304],
      ['vm11', 'running', 1, 65536],
      ['vm32', 'running', 2, 98304],
    ]);
    expect(value(parseDomInfo(recorded('real-dominfo.txt')))).toMatchObject({ name: 'vm32', state: 'running', vcpus: 2, maxMemoryKiB: 98304, persistent: true });
  });
  it("refuses the test bed's garbage virsh (exit status 0) with a located error", () => {
    const garbage = recorded('garbage-virsh.txt');
    expect(error(parseNodeInfo(garbage))).toBe('virsh nodeinfo output, line 1: expected \'label: value\', got "<<< segmentation fault at 0xdeadbeef >>>"');
    expect(error(parseDomStats(garbage))).toMatch(/^virsh domstats --raw output, line 1: expected a Domain: header first/);
    expect(error(parseCapabilities(garbage))).toBe('virsh capabilities output, line 1:2: expected a name, got "<< segment"');
    expect(error(parseDomJobInfo(garbage))).toMatch(/line 1: expected 'label: value'/);
    expect(error(parseDomState(garbage))).toMatch(/expected one of libvirt's states/);
  });
});
