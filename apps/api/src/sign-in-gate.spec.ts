import { describe, expect, it, jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BoundedSemaphore, Pace } from '@parley/common';
import { signInGate } from './sign-in-gate';

describe(`${BoundedSemaphore.name}.admit`, () => {
  it('lets `slots` in at once, queues the rest in order up to `queue`, and hands each freed slot to the next', () => {
    const a = new BoundedSemaphore(2, 2);
    const entered: number[] = [];
    const releases: Array<() => void> = [];
    const admit = (n: number) =>
      a.admit((release) => {
        entered.push(n);
        releases[n] = release;
      });
    admit(0);
    admit(1);
    expect(a.full).toBe(false);
    admit(2);
    admit(3);
    expect(entered).toEqual([0, 1]);
    expect(a.load).toEqual({ active: 2, waiting: 2 });
    expect(a.full).toBe(true);
    releases[1]();
    // released twice counts once
    releases[1]();
    expect(entered).toEqual([0, 1, 2]);
    expect(a.load).toEqual({ active: 2, waiting: 1 });
    releases[0]();
    releases[2]();
    releases[3]();
    expect(entered).toEqual([0, 1, 2, 3]);
    expect(a.load).toEqual({ active: 0, waiting: 0 });
  });
});

describe('signInGate', () => {
  const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { expiresAt } }';

  function request(query: string) {
    const req = { method: 'POST', path: '/graphql', body: { query }, ip: '127.0.0.9', socket: { destroyed: false } } as unknown as Request;
    const res: EventEmitter & Record<'status' | 'setHeader' | 'json', jest.Mock> = Object.assign(new EventEmitter(), {
      status: jest.fn((): unknown => res),
      setHeader: jest.fn((): unknown => res),
      json: jest.fn((): unknown => res),
    });
    const next = jest.fn() as unknown as NextFunction & jest.Mock;
    return { req, res, next };
  }

  // hands each request to the gate, in order
  const through = (gate: RequestHandler, ...rs: Array<ReturnType<typeof request>>) => {
    for (const r of rs) void gate(r.req, r.res as unknown as Response, r.next);
  };

  it('lets sign-ins into GraphQL one slot at a time, refuses past the queue, and passes anything else straight on', () => {
    jest.useFakeTimers();
    try {
      const refusalAtOnce = jest.fn((_op: 'login' | 'signUp', _ip: string, queueFull?: boolean) =>
        queueFull ? { message: 'busy', retryAfterSeconds: 1 } : null,
      );
      const gate = signInGate({ refusalAtOnce }, new Pace(1000, 100), new BoundedSemaphore(1, 1));
      const [first, second, third] = [request(LOGIN), request(LOGIN), request(LOGIN)];
      through(gate, first, second, third);
      expect(first.next).toHaveBeenCalledTimes(1);
      // waits for the first to finish
      expect(second.next).not.toHaveBeenCalled();
      // the queue (1) is full: refused, the answer held a second
      expect(refusalAtOnce).toHaveBeenLastCalledWith('login', '127.0.0.9', true);
      expect(third.next).not.toHaveBeenCalled();
      expect(third.res.json).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1000);
      expect(third.res.status).toHaveBeenCalledWith(200);
      expect(third.res.setHeader).toHaveBeenCalledWith('Retry-After', '1');
      expect(third.res.json).toHaveBeenCalledWith({ errors: [{ message: 'busy', path: ['login'], extensions: { code: 'RATE_LIMITED' } }], data: null });
      // the first answer is sent: the second goes in
      first.res.emit('close');
      expect(second.next).toHaveBeenCalledTimes(1);
      // a query that is not a sign-in never waits
      const other = request('{ me { id } }');
      through(gate, other);
      expect(other.next).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells each text apart however many it has seen (its answers are kept per text)', () => {
    jest.useFakeTimers();
    try {
      const gate = signInGate({ refusalAtOnce: () => ({ message: 'busy', retryAfterSeconds: 1 }) });
      const aliased = (i: number) => `mutation($e: String!, $p: String!) { a${i}: login(email: $e, password: $p) { expiresAt } }`;
      // more texts than are kept, then the first ones again, and texts that only look like sign-ins
      for (const i of [...Array.from({ length: 300 }, (_, i) => i), 0, 1, 0]) {
        const r = request(aliased(i));
        through(gate, r);
        jest.advanceTimersByTime(1000);
        expect(r.next).not.toHaveBeenCalled();
        expect(r.res.json).toHaveBeenCalledWith({ errors: [{ message: 'busy', path: [`a${i}`], extensions: { code: 'RATE_LIMITED' } }], data: null });
      }
      for (const query of ['{ me { id } } # login', 'mutation { login: logout }', LOGIN.replace('mutation', 'mutation { me { id } } mutation')]) {
        for (let twice = 0; twice < 2; twice++) {
          const r = request(query);
          through(gate, r);
          expect(r.next).toHaveBeenCalledTimes(1);
        }
      }
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets sign-ins in at the pace: a burst at once, then one per interval, in arrival order, holding their admission meanwhile', () => {
    jest.useFakeTimers();
    try {
      const admission = new BoundedSemaphore(5, 10);
      // 10 a second (one per 100 ms), 2 at once
      const gate = signInGate({ refusalAtOnce: () => null }, new Pace(10, 2), admission);
      const rs = Array.from({ length: 5 }, () => request(LOGIN));
      through(gate, ...rs);
      const entered = () => rs.map((r) => r.next.mock.calls.length);
      expect(entered()).toEqual([1, 1, 0, 0, 0]);
      // the waiting ones hold their slot: all five are admitted
      expect(admission.load).toEqual({ active: 5, waiting: 0 });
      jest.advanceTimersByTime(99);
      expect(entered()).toEqual([1, 1, 0, 0, 0]);
      jest.advanceTimersByTime(1);
      expect(entered()).toEqual([1, 1, 1, 0, 0]);
      jest.advanceTimersByTime(200);
      expect(entered()).toEqual([1, 1, 1, 1, 1]);
      // a quiet spell refills the burst: the next two go in at once
      jest.advanceTimersByTime(1000);
      for (const r of rs) r.res.emit('close');
      const later = [request(LOGIN), request(LOGIN)];
      through(gate, ...later);
      expect(later.map((r) => r.next.mock.calls.length)).toEqual([1, 1]);
      // anything else never waits for the pace
      const other = request('{ me { id } }');
      through(gate, other);
      expect(other.next).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('frees the slot of a client that left while it waited', () => {
    const gate = signInGate({ refusalAtOnce: () => null }, new Pace(1000, 100), new BoundedSemaphore(1, 5));
    const [first, gone, after] = [request(LOGIN), request(LOGIN), request(LOGIN)];
    through(gate, first, gone, after);
    (gone.req.socket as { destroyed: boolean }).destroyed = true;
    first.res.emit('close');
    expect(gone.next).not.toHaveBeenCalled();
    expect(after.next).toHaveBeenCalledTimes(1);
  });
});
