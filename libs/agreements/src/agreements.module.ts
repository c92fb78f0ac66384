import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionModule } from '@parley/database';
import { NegotiationModule } from '@parley/negotiation';
import { RoomsModule } from '@parley/rooms';
import { ServerSigningKeyRepository } from './server-signing-key.repository';
import { ServerSigningKeyService } from './server-signing-key.service';
import { SigningKeyController } from './signing-key.controller';
import { AgreementEntity, CommitmentEntity, PartyKeyEntity, PublishConsentEntity, SignatureEntity } from './agreement.entities';
import { AgreementRecorder } from './agreement-recorder';
import { AgreementRepository } from './agreement.repository';
import { AgreementAccessService } from './agreement-access.service';
import { SignaturesService } from './signatures.service';
import { PartyKeysService } from './party-keys.service';
import { CommitmentsService } from './commitments.service';
import { CommitmentResolutionService } from './commitment-resolution.service';
import { PublicationService } from './publication.service';
import { AgreementAnswers } from './agreement-answers';
import { AgreementsResolver, ProposalAgreementResolver, RoomPartyKeysResolver } from './agreements.resolver';
import { AgreementExportService } from './agreement-export.service';
import { AgreementExportController } from './agreement-export.controller';
import { PublicationScheduler } from './publication.scheduler';

@Module({
  imports: [
    RoomsModule,
    NegotiationModule,
    TransactionModule,
    TypeOrmModule.forFeature([AgreementEntity, PartyKeyEntity, SignatureEntity, CommitmentEntity, PublishConsentEntity]),
  ],
  providers: [
    ServerSigningKeyRepository,
    ServerSigningKeyService,
    AgreementRepository,
    AgreementAccessService,
    SignaturesService,
    PartyKeysService,
    CommitmentsService,
    CommitmentResolutionService,
    PublicationService,
    AgreementAnswers,
    AgreementsResolver,
    RoomPartyKeysResolver,
    ProposalAgreementResolver,
    AgreementRecorder,
    AgreementExportService,
    PublicationScheduler,
  ],
  controllers: [SigningKeyController, AgreementExportController],
  exports: [ServerSigningKeyService, AgreementExportService, AgreementRecorder, SignaturesService],
})
export class AgreementsModule {}
