import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { PartyType } from '@parley/rooms';

@ObjectType('Message')
export class MessageType {
  @Field(() => ID) id: string;
  @Field(() => ID) roomId: string;
  @Field(() => Int) seq: number;
  @Field(() => String, { nullable: true }) thread: string | null;
  @Field() body: string;
  @Field(() => String, { nullable: true }) author: string | null;
  @Field(() => PartyType, { nullable: true }) party: PartyType | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) editedAt: Date | null;
  @Field() redacted: boolean;
  // the caller wrote it (so the web app offers edit and redact); never names anyone
  @Field() mine: boolean;
}
