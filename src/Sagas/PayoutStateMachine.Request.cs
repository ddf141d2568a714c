using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sagas;

// Request: a RequestPayout opens the payout, valid (Requested, sent to its provider) or not
// (Rejected, with the field errors); a repeated request is answered with the payout it made.
public sealed partial class PayoutStateMachine
{
    private void DuringRequest()
    {
        Initially(
            When(PayoutRequested)
                .Then(context => context.Saga.Open(context.Message, Now))
                .IfElse(context => RequestErrors(context).Count == 0,
                    valid => valid
                        .TransitionTo(Requested)
                        .Then(context => Record(context, "RequestPayout", $"{context.Saga.Money} to {context.Saga.Destination} via {context.Saga.Provider}", context.Saga.Client))
                        .Publish(context => new PayoutAccepted(
                            context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.Money, context.Saga.Destination, Now))
                        .Publish(context => new SubmitProviderPayout(context.Saga.ToProviderPayout()))
                        .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => _timers.SubmissionCheckDelay)
                        .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
                    invalid => invalid
                        .Then(context => context.Saga.Fail(RequestRefusal(context), Describe(RequestErrors(context))))
                        .TransitionTo(Rejected)
                        .Then(context => Record(context, "RequestPayout", context.Saga.FailureMessage!, context.Saga.Client))
                        .Publish(InvalidRequest)
                        .If(IsRequest, r => r.Respond(InvalidRequest))));

        DuringAny(
            When(StatusRequested)
                .Respond(context => context.Saga.ToSnapshot()),
            When(PayoutRequested, context => context.Saga.RequestFingerprint == PayoutFingerprint.Of(context.Message))
                .Then(context => _logger.LogInformation("Payout {PayoutId}: repeated request for external id {ExternalId} answered with the existing payout",
                    context.Saga.CorrelationId, context.Saga.ExternalId))
                // Every repeat is answered: a request with the payout, a publish with an event its sender hears.
                .IfElse(IsRequest,
                    request => request.Respond(context => context.Saga.ToSnapshot()),
                    published => published.IfElse(context => context.Saga.CurrentState == Rejected.Name,
                        rejected => rejected.Publish(InvalidRequest),
                        accepted => accepted.Publish(context => new PayoutAlreadyRequested(
                            context.Saga.CorrelationId, context.Saga.ExternalId, context.Message.PayoutId, context.Saga.CurrentState, Now)))),
            When(PayoutRequested, context => context.Saga.RequestFingerprint != PayoutFingerprint.Of(context.Message))
                .Then(context => _logger.LogWarning("Payout {PayoutId}: request {RequestedId} reuses external id {ExternalId} with different content; refused",
                    context.Saga.CorrelationId, context.Message.PayoutId, context.Saga.ExternalId))
                .Publish(context => ExternalIdConflict(context.Saga, context.Message))
                .If(IsRequest, r => r.Respond(context => ExternalIdConflict(context.Saga, context.Message))));
    }

    /// <summary>The request's field errors, worked out once per message and kept with it.</summary>
    private IReadOnlyList<FieldError> RequestErrors(BehaviorContext<PayoutState, RequestPayout> context) =>
        Validation(context).Errors;

    /// <summary><c>provider_not_configured</c> for a valid request to a provider without credentials here; otherwise <c>validation_failed</c>.</summary>
    private string RequestRefusal(BehaviorContext<PayoutState, RequestPayout> context) => Validation(context).Code;

    private RequestValidation Validation(BehaviorContext<PayoutState, RequestPayout> context) =>
        context.GetOrAddPayload(() =>
            PayoutRequestValidator.Validate(context.Message) is { Count: > 0 } errors
                ? new RequestValidation(errors, "validation_failed")
                : _providers.Has(context.Message.Provider)
                    ? new RequestValidation([], "")
                    : new RequestValidation([new FieldError("provider", _providers.Describe(context.Message.Provider))], ConfiguredProviders.NotConfigured));

    private sealed record RequestValidation(IReadOnlyList<FieldError> Errors, string Code);

    private PayoutRejected InvalidRequest(BehaviorContext<PayoutState, RequestPayout> context) =>
        new(context.Message.PayoutId, context.Message.ExternalId ?? "", RequestRefusal(context), "The payout request is invalid.",
            RequestErrors(context), Now);

    private PayoutRejected ExternalIdConflict(PayoutState saga, RequestPayout request) =>
        new(request.PayoutId, request.ExternalId, "external_id_conflict",
            $"External id '{request.ExternalId}' already belongs to payout {saga.CorrelationId}, requested with different content.", [], Now);

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"));
}
