import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { attribute, attributedLabel, type SpeakerAttribution } from './attribution';

const settings: SpeakerAttribution[] = ['ATTRIBUTED', 'PARTY_ONLY', 'ANONYMOUS'];
const speaker = fc.record({ membershipId: fc.uuid(), displayName: fc.string({ minLength: 1 }), partyId: fc.option(fc.uuid(), { nil: null }) });

describe('attribute', () => {
  it('always shows a member their own identity', () => {
    fc.assert(
      fc.property(fc.constantFrom(...settings), speaker, (setting, s) => {
        expect(attribute(setting, s, s.membershipId)).toEqual({ displayName: s.displayName, partyId: s.partyId });
      }),
    );
  });

  it('shows others exactly what the setting allows', () => {
    fc.assert(
      fc.property(speaker, fc.option(fc.uuid(), { nil: null }), (s, viewer) => {
        fc.pre(viewer !== s.membershipId);
        expect(attribute('ATTRIBUTED', s, viewer)).toEqual({ displayName: s.displayName, partyId: s.partyId });
        expect(attribute('PARTY_ONLY', s, viewer)).toEqual({ displayName: null, partyId: s.partyId });
        expect(attribute('ANONYMOUS', s, viewer)).toEqual({ displayName: null, partyId: null });
      }),
    );
  });

  it('never reveals more under a stricter setting', () => {
    fc.assert(
      fc.property(speaker, fc.uuid(), (s, viewer) => {
        fc.pre(viewer !== s.membershipId);
        const shown = settings.map((setting) => attribute(setting, s, viewer));
        const amount = shown.map((a) => Number(a.displayName !== null) + Number(a.partyId !== null));
        expect(amount[0]).toBeGreaterThanOrEqual(amount[1]);
        expect(amount[1]).toBeGreaterThanOrEqual(amount[2]);
      }),
    );
  });
});

describe('attributedLabel', () => {
  const s = { membershipId: 'm1', displayName: 'Ada', partyId: 'p1' };
  const names = (id: string) => (id === 'p1' ? 'Lab A' : undefined);

  it('names the person, the party, or no one', () => {
    expect(attributedLabel('ATTRIBUTED', s, 'm2', names)).toBe('Ada');
    expect(attributedLabel('PARTY_ONLY', s, 'm2', names)).toBe('Delegate of Lab A');
    expect(attributedLabel('ANONYMOUS', s, 'm2', names)).toBe('Anonymous participant');
    expect(attributedLabel('ANONYMOUS', s, 'm1', names)).toBe('Ada');
  });
});
