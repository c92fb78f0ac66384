import { Field, ID, InputType, ObjectType, GraphQLISODateTime } from '@nestjs/graphql';

@ObjectType('User')
export class UserType {
  @Field(() => ID) id: string;
  @Field() email: string;
  @Field() displayName: string;
}

@ObjectType('AuthPayload')
export class AuthPayload {
  @Field() token: string;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
  @Field(() => UserType) user: UserType;
}

@InputType()
export class SignUpInput {
  @Field() email: string;
  @Field() password: string;
  @Field() displayName: string;
  @Field({ nullable: true }) inviteToken?: string;
}

// what a browser needs before anyone signs in: whether the install still has no users
// (the first-run page) and whether sign-up is open without an invitation
@ObjectType('SetupStatus')
export class SetupStatus {
  @Field() needsFirstUser: boolean;
  @Field() openSignup: boolean;
}

// one of the caller's sessions: where it stands, never its token
@ObjectType('Session')
export class SessionType {
  @Field(() => ID) id: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime) lastUsedAt: Date;
  @Field(() => GraphQLISODateTime, { description: 'when it ends unless used again: the earlier of its absolute and idle limits' }) expiresAt: Date;
  @Field({ description: 'the session this request came with' }) current: boolean;
}
