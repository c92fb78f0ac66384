import { Injectable } from '@nestjs/common';
import { canonicalClauses, type AgreementBundle } from '@parley/domain';
import { TransactionRunner } from '@parley/database';
import { RateLimiter, rateLimited } from '@parley/common';
import type { AuthUser } from '@parley/identity';
import { RoomEntity } from '@parley/rooms';
import { ProposalsService } from '@parley/negotiation';
import type { AgreementEntity } from './agreement.entities';
import { AgreementsService } from './agreements.service';
import { ServerSigningKeyService } from './server-signing-key.service';
import { renderMarkdown } from './agreement-markdown';
import { renderPdf } from './agreement-pdf';

export type ExportFormat = 'md' | 'pdf' | 'json';

export interface ExportFile {
  body: Buffer | string;
  contentType: string;
  filename: string;
}

// Exports carry the agreed text, parties, signatures and binding commitments; never any
// discussion, and no person's name (parties only), so attribution holds by construction.
@Injectable()
export class AgreementExportService {
  // rendering (a PDF above all) is work: per account for members, per address for the public
  private readonly byUser = new RateLimiter(30, 60_000);
  private readonly byIp = new RateLimiter(60, 60_000);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly agreements: AgreementsService,
    private readonly proposals: ProposalsService,
    private readonly signingKey: ServerSigningKeyService,
  ) {}

  async bundle(agreement: AgreementEntity): Promise<AgreementBundle> {
    const [title, versions, parties, signatures, binding, room, keys] = await Promise.all([
      this.proposals.titleOf(agreement.proposalId),
      this.proposals.versionHashes(agreement.proposalId),
      this.agreements.parties(agreement.roomId),
      this.agreements.signatureRows(agreement.id),
      this.agreements.commitmentsVisibleTo(agreement, null),
      this.tx.manager.findOneOrFail(RoomEntity, { where: { id: agreement.roomId } }),
      this.agreements.partyKeyRows(agreement.roomId),
    ]);
    const partyName = new Map(parties.map((p) => [p.id, p.name]));
    const keyById = new Map(keys.map((k) => [k.id, k.publicKeyPem]));
    return this.signingKey.attest({
      format: 'parley-agreement-bundle/1',
      agreement: {
        id: agreement.id,
        roomId: agreement.roomId,
        title,
        version: agreement.version,
        textHash: agreement.textHash,
        status: agreement.status,
        publishedAt: agreement.publishedAt?.toISOString() ?? null,
        embargoUntil: agreement.embargoUntil?.toISOString() ?? null,
      },
      parties: parties.map((p) => ({ id: p.id, name: p.name })),
      clauses: canonicalClauses(agreement.clauses),
      versions: versions.map((v) => ({ number: v.number, textHash: v.textHash, createdAt: v.createdAt.toISOString() })),
      signatures: signatures.map((s) => ({
        partyId: s.partyId,
        partyName: partyName.get(s.partyId) ?? '',
        textHash: s.textHash,
        signedAt: s.signedAt.toISOString(),
        partySignature: s.partySignature,
        partyPublicKey: s.partyKeyId ? (keyById.get(s.partyKeyId) ?? null) : null,
      })),
      bindingCommitments: binding.map((c) => ({ id: c.id, partyId: c.party.id, statement: c.statement, minParties: c.minParties, requiredPartyIds: c.requiredParties.map((p) => p.id) })),
      eventLogHead: { seq: room.lastSeq, hash: room.headHash },
    });
  }

  async render(agreement: AgreementEntity, format: ExportFormat): Promise<ExportFile> {
    const bundle = await this.bundle(agreement);
    const published = agreement.status === 'PUBLISHED';
    const base = `agreement-${agreement.id}${published ? '' : '-not-published'}`;
    switch (format) {
      case 'json':
        return { body: `${JSON.stringify(bundle, null, 2)}\n`, contentType: 'application/json; charset=utf-8', filename: `${base}.json` };
      case 'md':
        return { body: renderMarkdown(bundle, { published }), contentType: 'text/markdown; charset=utf-8', filename: `${base}.md` };
      case 'pdf':
        return { body: await renderPdf(bundle, { published }), contentType: 'application/pdf', filename: `${base}.pdf` };
    }
  }

  async forMember(user: AuthUser, agreementId: string, format: ExportFormat): Promise<ExportFile> {
    if (!this.byUser.take(user.id)) throw rateLimited('Too many downloads; try again in a minute.');
    const { agreement } = await this.agreements.scope(user, agreementId, 'read');
    return this.render(agreement, format);
  }

  async forPublic(slug: string, format: ExportFormat, clientIp = 'unknown'): Promise<ExportFile> {
    if (!this.byIp.take(clientIp)) throw rateLimited('Too many downloads; try again in a minute.');
    return this.render(await this.agreements.publishedOrThrow(slug), format);
  }
}
