import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('message')
export class MessageEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'room_id' }) roomId: string;
  @Column('integer') seq: number;
  @Column('text', { nullable: true }) thread: string | null;
  @Column('uuid', { name: 'audience_party_id', nullable: true }) audiencePartyId: string | null;
  @Column('uuid', { name: 'author_membership_id' }) authorMembershipId: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text', { name: 'client_msg_id' }) clientMsgId: string;
  @Column('text') body: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'edited_at', nullable: true }) editedAt: Date | null;
  @Column('timestamptz', { name: 'redacted_at', nullable: true }) redactedAt: Date | null;
}
