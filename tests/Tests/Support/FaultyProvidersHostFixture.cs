namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The host on RabbitMQ + PostgreSQL against a sandbox that misbehaves the way providers do: slow
/// answers, one call in five refused with a 503, every other create recorded but never answered,
/// every webhook sent twice, late and out of order. Confirmations expire after 15 s, so that
/// expiry can be watched too.
/// </summary>
public sealed class FaultyProvidersHostFixture : RabbitMqHostFixture
{
    public static readonly TimeSpan ConfirmationTimeout = TimeSpan.FromSeconds(15);

    protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync() =>
        new Dictionary<string, string>(await base.PrepareAsync())
        {
            ["Sandbox:Faults:Latency"] = "00:00:00.020",
            ["Sandbox:Faults:ErrorRate"] = "0.2",
            ["Sandbox:Faults:UnknownOutcomeRate"] = "0.5",
            ["Sandbox:Faults:DuplicateWebhooks"] = "true",
            ["Sandbox:Faults:WebhookDelay"] = "00:00:00.500",
            ["Sandbox:WebhookRetryDelay"] = "00:00:00.200",
            ["Providers:RequestTimeout"] = "00:00:01",
            ["Payouts:Lifecycle:ConfirmationTimeout"] = ConfirmationTimeout.ToString(),
            // A submission whose every in-process retry met a fault is submitted again this soon, not after a minute.
            ["Payouts:Lifecycle:SubmitRetryDelay"] = "00:00:02",
        };
}

[CollectionDefinition(Name)]
public sealed class FaultyProvidersCollection : ICollectionFixture<FaultyProvidersHostFixture>
{
    public const string Name = "faulty-providers";
}
