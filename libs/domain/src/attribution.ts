// The room's speakerAttribution applied to one speaker as seen by one viewer.
export type SpeakerAttribution = 'ATTRIBUTED' | 'PARTY_ONLY' | 'ANONYMOUS';

export interface Speaker {
  membershipId: string;
  displayName: string;
  partyId: string | null;
}

export interface AttributedSpeaker {
  displayName: string | null;
  partyId: string | null;
}

export function attribute(setting: SpeakerAttribution, speaker: Speaker, viewerMembershipId: string | null): AttributedSpeaker {
  // a member always sees their own identity
  if (viewerMembershipId !== null && viewerMembershipId === speaker.membershipId) {
    return { displayName: speaker.displayName, partyId: speaker.partyId };
  }
  switch (setting) {
    case 'ATTRIBUTED':
      return { displayName: speaker.displayName, partyId: speaker.partyId };
    case 'PARTY_ONLY':
      return { displayName: null, partyId: speaker.partyId };
    case 'ANONYMOUS':
      return { displayName: null, partyId: null };
  }
}

// The label shown where a name must be shown (Membership.displayName is non-null).
export function attributedLabel(
  setting: SpeakerAttribution,
  speaker: Speaker,
  viewerMembershipId: string | null,
  partyName: (partyId: string) => string | undefined,
): string {
  const seen = attribute(setting, speaker, viewerMembershipId);
  if (seen.displayName !== null) return seen.displayName;
  if (seen.partyId !== null) return `Delegate of ${partyName(seen.partyId) ?? 'a party'}`;
  return 'Anonymous participant';
}
