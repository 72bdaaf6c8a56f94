import { describe, expect, it } from 'vitest';
import { ConnectionGuard, connectionGuards, type GuardSettings } from '../../src/custom-db/breaker.js';

const SETTINGS: GuardSettings = { maxConcurrency: 2, breakerThreshold: 3, breakerCooldownMs: 30_000 };

/** A guard on a clock the test moves, and calls whose outcome the test decides. */
function setUp(queueWaitMs = 50) {
  const clock = { at: 1_000_000, now: () => clock.at, queueWaitMs };
  const guard = new ConnectionGuard(clock);
  const call = (outcome: 'ok' | 'down', settings = SETTINGS, counted = true) =>
    guard.run(settings, { counted, failed: (value: string) => value === 'down' }, async () => outcome);
  return { clock, guard, call };
}

function deferred() {
  let resolve: (value: string) => void = () => undefined;
  const promise = new Promise<string>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures, and a success in between starts the count again', async () => {
    const { guard, call } = setUp();
    await call('down');
    await call('down');
    await call('ok');
    expect(guard.health()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
    await call('down');
    await call('down');
    expect(guard.health().circuit).toBe('closed');
    await call('down');
    expect(guard.health()).toMatchObject({ circuit: 'open', consecutiveFailures: 3, openedAt: new Date(1_000_000).toISOString() });
  });

  it('refuses at once while open, with the remaining cooldown as Retry-After, without running the call', async () => {
    const { clock, call, guard } = setUp();
    for (let i = 0; i < 3; i++) await call('down');
    clock.at += 10_500;
    let ran = false;
    const refused = await guard.run(SETTINGS, { counted: true, failed: () => false }, async () => {
      ran = true;
      return 'ok';
    });
    expect(refused).toEqual({ ok: false, refusal: { reason: 'open', retryAfterSeconds: 20 } });
    expect(ran).toBe(false);
  });

  it('lets one probe through after the cooldown: its success closes the circuit', async () => {
    const { clock, guard } = setUp();
    const run = (task: () => Promise<string>) => guard.run(SETTINGS, { counted: true, failed: (v: string) => v === 'down' }, task);
    for (let i = 0; i < 3; i++) await run(async () => 'down');
    clock.at += 30_000;
    expect(guard.health().circuit).toBe('half-open');
    const probe = deferred();
    const probing = run(() => probe.promise);
    // While the probe is out, everyone else is refused.
    expect(await run(async () => 'ok')).toEqual({ ok: false, refusal: { reason: 'open', retryAfterSeconds: 1 } });
    probe.resolve('ok');
    expect(await probing).toEqual({ ok: true, value: 'ok' });
    expect(guard.health()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0, openedAt: null });
    expect((await run(async () => 'ok')).ok).toBe(true);
  });

  it('re-opens for a whole cooldown when the probe fails', async () => {
    const { clock, call, guard } = setUp();
    for (let i = 0; i < 3; i++) await call('down');
    clock.at += 31_000;
    await call('down');
    expect(guard.health()).toMatchObject({ circuit: 'open', openedAt: new Date(clock.at).toISOString() });
    expect(await call('ok')).toEqual({ ok: false, refusal: { reason: 'open', retryAfterSeconds: 30 } });
  });

  it('a probe that throws still re-opens the circuit instead of staying out forever', async () => {
    const { clock, guard, call } = setUp();
    for (let i = 0; i < 3; i++) await call('down');
    clock.at += 30_000;
    await expect(guard.run(SETTINGS, { counted: true, failed: () => false }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(guard.health().circuit).toBe('open');
  });

  it('uncounted calls (debug runs) pass an open circuit and do not move it', async () => {
    const { call, guard } = setUp();
    for (let i = 0; i < 3; i++) await call('down');
    expect(await call('ok', SETTINGS, false)).toEqual({ ok: true, value: 'ok' });
    expect(guard.health().circuit).toBe('open');
    const fresh = setUp();
    for (let i = 0; i < 5; i++) await fresh.call('down', SETTINGS, false);
    expect(fresh.guard.health()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
  });

  it('a newer revision of the connection closes the circuit; the same revision keeps it', async () => {
    const guards = connectionGuards({ now: () => 0, queueWaitMs: 50 });
    const guard = guards.forPool('p1', 3);
    for (let i = 0; i < 3; i++) await guard.run(SETTINGS, { counted: true, failed: () => true }, async () => 'down');
    expect(guards.forPool('p1', 3).health().circuit).toBe('open');
    expect(guards.health('p1').circuit).toBe('open');
    expect(guards.forPool('p1', 4).health().circuit).toBe('closed');
    expect(guards.health('elsewhere')).toEqual({ circuit: 'closed', inFlight: 0, consecutiveFailures: 0, openedAt: null });
  });
});

describe('concurrency cap', () => {
  it('holds calls beyond the cap until a slot frees', async () => {
    const { guard } = setUp(5_000);
    const slow = [deferred(), deferred()];
    const running = slow.map((d) => guard.run(SETTINGS, { counted: true, failed: () => false }, () => d.promise));
    expect(guard.health().inFlight).toBe(2);
    let thirdRan = false;
    const third = guard.run(SETTINGS, { counted: true, failed: () => false }, async () => {
      thirdRan = true;
      return 'third';
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(thirdRan).toBe(false);
    slow[0]?.resolve('first');
    expect(await third).toEqual({ ok: true, value: 'third' });
    slow[1]?.resolve('second');
    await Promise.all(running);
    expect(guard.health().inFlight).toBe(0);
  });

  it('refuses a call that found no slot within the wait, and one beyond the bounded queue at once', async () => {
    const { guard } = setUp(50);
    const settings = { ...SETTINGS, maxConcurrency: 1 };
    const slow = deferred();
    const running = guard.run(settings, { counted: true, failed: () => false }, () => slow.promise);
    const waiting = guard.run(settings, { counted: true, failed: () => false }, async () => 'late');
    const overflow = await guard.run(settings, { counted: true, failed: () => false }, async () => 'overflow');
    expect(overflow).toEqual({ ok: false, refusal: { reason: 'busy', retryAfterSeconds: 1 } });
    expect(await waiting).toEqual({ ok: false, refusal: { reason: 'busy', retryAfterSeconds: 1 } });
    // Refusals by the cap are not failures of the database.
    expect(guard.health()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0, inFlight: 1 });
    slow.resolve('done');
    await running;
    expect(guard.health().inFlight).toBe(0);
  });

  it('caps uncounted (debug) calls too', async () => {
    const { guard } = setUp(20);
    const settings = { ...SETTINGS, maxConcurrency: 1 };
    const slow = deferred();
    const running = guard.run(settings, { counted: false, failed: () => false }, () => slow.promise);
    expect((await guard.run(settings, { counted: false, failed: () => false }, async () => 'x')).ok).toBe(false);
    slow.resolve('done');
    await running;
  });
});
