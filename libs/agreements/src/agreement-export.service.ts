import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger } from '@parley/common';
import { BUNDLE_FORMAT, canonicalClauses, type AgreementBundle } from '@parley/domain';
import { RateLimiter, rateLimited } from '@parley/common';
import type { AuthUser } from '@parley/identity';
import { ProposalsService } from '@parley/negotiation';
import type { AgreementEntity } from './agreement.entities';
import { AgreementAccessService } from './agreement-access.service';
import { AgreementRepository } from './agreement.repository';
import { CommitmentsService } from './commitments.service';
import { PublicationService } from './publication.service';
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
// A published agreement's bundle is made once, right after publication commits, and kept:
// what anyone downloads after that never changes, whatever the room does next.
@Injectable()
export class AgreementExportService implements OnModuleInit {
  // rendering (a PDF above all) is work: per account for members, per address for the public
  private readonly byUser = new RateLimiter(30, 60_000);
  private readonly byIp = new RateLimiter(60, 60_000);

  constructor(
    private readonly agreements: AgreementAccessService,
    private readonly repo: AgreementRepository,
    private readonly commitments: CommitmentsService,
    private readonly publication: PublicationService,
    private readonly proposals: ProposalsService,
    private readonly signingKey: ServerSigningKeyService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.publication.onPublished((agreement) =>
      this.frozen(agreement).catch((e: unknown) =>
        this.logger.error({ err: e, agreementId: agreement.id }, 'freezing the published bundle failed; the first download freezes it'),
      ),
    );
  }

  // The stored bundle of a published agreement, made and stored by whoever comes first.
  async frozen(agreement: AgreementEntity): Promise<AgreementBundle> {
    if (agreement.publishedBundle) return agreement.publishedBundle;
    const made = await this.bundle(agreement);
    return this.repo.freezeBundle(agreement.id, made);
  }

  async bundle(agreement: AgreementEntity): Promise<AgreementBundle> {
    if (agreement.adoptedHeadSeq === null || agreement.adoptedHeadHash === null) throw new Error(`agreement ${agreement.id} has no adoption head`);
    const [title, versions, parties, signatures, binding, keys] = await Promise.all([
      this.proposals.titleOf(agreement.proposalId),
      this.proposals.versionHashes(agreement.proposalId),
      this.agreements.parties(agreement.roomId),
      this.repo.signatures(agreement.id),
      this.commitments.visibleTo(agreement, null),
      this.repo.partyKeys(agreement.roomId),
    ]);
    const partyName = new Map(parties.map((p) => [p.id, p.name]));
    const keyById = new Map(keys.map((k) => [k.id, k.publicKeyPem]));
    return this.signingKey.attest({
      format: BUNDLE_FORMAT,
      agreement: {
        id: agreement.id,
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
      bindingCommitments: binding.map((c) => ({
        id: c.id,
        partyId: c.party.id,
        statement: c.statement,
        minParties: c.minParties,
        requiredPartyIds: c.requiredParties.map((p) => p.id),
      })),
      eventLogHead: { seq: agreement.adoptedHeadSeq, hash: agreement.adoptedHeadHash },
    });
  }

  async render(agreement: AgreementEntity, format: ExportFormat): Promise<ExportFile> {
    const published = agreement.status === 'PUBLISHED';
    const bundle = published ? await this.frozen(agreement) : await this.bundle(agreement);
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

  // an operator's export (`parley export`): any agreement by id; null when there is none
  async forOperator(agreementId: string, format: ExportFormat): Promise<(ExportFile & { published: boolean }) | null> {
    const agreement = await this.repo.findAgreement(agreementId);
    if (!agreement) return null;
    return { ...(await this.render(agreement, format)), published: agreement.status === 'PUBLISHED' };
  }

  async forMember(user: AuthUser, agreementId: string, format: ExportFormat): Promise<ExportFile> {
    if (!this.byUser.take(user.id)) throw rateLimited('Too many downloads; try again in a minute.', this.byUser.refusedForSeconds(user.id));
    const { agreement } = await this.agreements.scope(user, agreementId, 'read');
    return this.render(agreement, format);
  }

  async forPublic(slug: string, format: ExportFormat, clientIp = 'unknown'): Promise<ExportFile> {
    if (!this.byIp.take(clientIp)) throw rateLimited('Too many downloads; try again in a minute.', this.byIp.refusedForSeconds(clientIp));
    return this.render(await this.publication.publishedOrThrow(slug), format);
  }
}
