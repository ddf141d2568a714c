using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sagas;

// Request: a RequestPayout opens the payout, valid (Requested, sent to its provider) or not
// (Rejected, with the field errors); a repeated request is answered with the payout it made.
// A request that names no provider is routed (Routing): the provider chosen, and why, is recorded.
public sealed partial class PayoutStateMachine
{
    private void DuringRequest()
    {
        Initially(
            When(PayoutRequested)
                .Then(context => context.Saga.Open(context.Message, Now))
                .IfElse(context => RequestErrors(context).Count == 0,
                    valid => valid
                        .If(context => Validation(context).Route is not null, routed => routed.Then(context =>
                        {
                            context.Saga.Provider = Validation(context).Route!.Chosen!.Value;
                            context.Saga.Routed = true;
                            context.Saga.Route = Validation(context).Route!.Reason;
                        }))
                        .TransitionTo(Requested)
                        .Then(context => Record(context, "RequestPayout",
                            $"{context.Saga.Money} to {context.Saga.Destination} via {(context.Saga.Routed ? $"{context.Saga.Route} (routed)" : context.Saga.Provider)}", context.Saga.Client))
                        .Publish(context => new PayoutAccepted(
                            context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.Money, context.Saga.Destination, Now, context.Saga.Route))
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
        context.GetOrAddPayload(() => Validate(context.Message));

    private RequestValidation Validate(RequestPayout request)
    {
        if (request.Provider == default)
        {
            // No provider named: the router's choice is checked like a named one; with no choice,
            // the request's own errors (those that do not depend on a provider) and why none fits.
            var route = _router.Route(request, []);
            if (route.Chosen is { } chosen)
                return PayoutRequestValidator.Validate(request with { Provider = chosen }) is { Count: > 0 } chosenErrors
                    ? new RequestValidation(chosenErrors, "validation_failed")
                    : new RequestValidation([], "", route);
            var errors = PayoutRequestValidator.Validate(request).Where(e => e.Field != "provider").Append(new FieldError("provider", route.Reason)).ToList();
            return new RequestValidation(errors, "no_route");
        }
        return PayoutRequestValidator.Validate(request) is { Count: > 0 } invalid
            ? new RequestValidation(invalid, "validation_failed")
            : _providers.Has(request.Provider)
                ? new RequestValidation([], "")
                : new RequestValidation([new FieldError("provider", _providers.Describe(request.Provider))], ConfiguredProviders.NotConfigured);
    }

    /// <param name="Route">For a valid request that named no provider: the providers that may pay it, the first chosen.</param>
    private sealed record RequestValidation(IReadOnlyList<FieldError> Errors, string Code, PayoutRoute? Route = null);

    private PayoutRejected InvalidRequest(BehaviorContext<PayoutState, RequestPayout> context) =>
        new(context.Message.PayoutId, context.Message.ExternalId ?? "", RequestRefusal(context), "The payout request is invalid.",
            RequestErrors(context), Now);

    private PayoutRejected ExternalIdConflict(PayoutState saga, RequestPayout request) =>
        new(request.PayoutId, request.ExternalId, "external_id_conflict",
            $"External id '{request.ExternalId}' already belongs to payout {saga.CorrelationId}, requested with different content.", [], Now);

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"));
}
