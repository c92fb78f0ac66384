import type { Clause } from '@parley/domain';
import type { PartyEntity, PartyType, RoomScope } from '@parley/rooms';
import type { ClauseType } from './negotiation.types';

// The room's parties as one viewer may see them: `party` always (votes count parties),
// `attributed` per the room's speakerAttribution (amendments and bracket options).
export class PartyBook {
  private readonly byId: Map<string, PartyEntity>;

  constructor(
    readonly parties: PartyEntity[],
    private readonly scope: RoomScope,
  ) {
    this.byId = new Map(parties.map((p) => [p.id, p]));
  }

  party(id: string | null): PartyType | null {
    const p = id ? this.byId.get(id) : undefined;
    return p ? { id: p.id, name: p.name } : null;
  }

  attributed(id: string | null): PartyType | null {
    if (this.scope.room.speakerAttribution === 'ANONYMOUS' && id !== this.scope.membership.partyId) return null;
    return this.party(id);
  }

  clauses(clauses: Clause[]): ClauseType[] {
    return clauses.map((c) => ({
      key: c.key,
      heading: c.heading ?? null,
      text: c.text,
      alternatives: c.alternatives.map((a) => ({ id: a.id, text: a.text, party: this.attributed(a.partyId) })),
    }));
  }
}
