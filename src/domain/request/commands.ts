/** What can be asked of a query request. Time and identities are passed in; decide stays pure. */
import type {
  ExecutionSucceeded,
  PolicyEvaluated,
  QueryAnalysed,
  QueryRequested,
  ResultDelivered,
  ResultMasked,
} from '../events/index.js';
import type { Principal } from '../identity/principal.js';
import type { ChildJob } from '../ports.js';

export type RequestCommand =
  | {
      readonly type: 'SubmitQuery';
      readonly requested: QueryRequested;
      readonly analysed: QueryAnalysed;
      readonly evaluation: PolicyEvaluated;
      readonly now: Date;
    }
  | {
      readonly type: 'DecideApproval';
      /** The person approving or rejecting. */
      readonly approver: Principal;
      readonly decision: 'approve' | 'reject';
      readonly comment?: string;
      readonly now: Date;
    }
  | { readonly type: 'ExpireApproval'; readonly now: Date }
  | {
      /** The policy in force changed since the request was judged: judge it again before it runs. */
      readonly type: 'Reevaluate';
      readonly evaluation: PolicyEvaluated;
      readonly now: Date;
    }
  | {
      readonly type: 'StartExecution';
      readonly jobId: string;
      readonly warehouse: string;
      readonly resumed: boolean;
      /** Where the job runs, when the warehouse has locations. */
      readonly location?: string;
      /** Above the current attempt: a new job for a request whose previous job failed transiently. */
      readonly attempt?: number;
    }
  | {
      readonly type: 'CompleteExecution';
      readonly succeeded: ExecutionSucceeded;
      readonly masked: ResultMasked;
      readonly delivered: ResultDelivered;
    }
  | {
      readonly type: 'FailExecution';
      readonly jobId: string;
      readonly code: string;
      readonly message: string;
      readonly childJobs?: readonly ChildJob[];
    }
  | { readonly type: 'CancelRequest'; readonly by: Principal };
