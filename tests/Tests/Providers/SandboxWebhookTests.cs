using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Payouts.Bus.Contracts;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Providers;

/// <summary>The sandbox sends webhooks as the providers do: signed, and again after anything but a 200.</summary>
public sealed class SandboxWebhookTests
{
    [Fact]
    public async Task Dfns_webhook_refused_once_is_sent_again_as_a_new_event_naming_the_first()
    {
        var received = new ConcurrentQueue<(string Body, string Signature)>();
        var builder = WebApplication.CreateSlimBuilder();
        // Port 0: the system picks one nobody else can be handed meanwhile.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/webhooks/dfns", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            received.Enqueue((await reader.ReadToEndAsync(), request.Headers["X-DFNS-WEBHOOK-SIGNATURE"].ToString()));
            return received.Count == 1 ? Results.StatusCode(500) : Results.Ok();
        });
        await receiver.StartAsync();
        await using var providers = await SandboxedProviders.StartAsync(webhooks: new Uri(new Uri(receiver.Urls.Single()), "/webhooks/"));

        await providers.Client(PayoutProvider.Dfns).SubmitAsync(SandboxedProviders.Payout(PayoutProvider.Dfns), null, CancellationToken.None);
        await Eventually.Until(() => Task.FromResult(received.Count), n => n >= 2, "the refused webhook to be sent again");

        var deliveries = received.ToArray();
        var first = JsonNode.Parse(deliveries[0].Body)!;
        var retry = JsonNode.Parse(deliveries[1].Body)!;
        Assert.Equal("payout.action.required", (string?)retry["kind"]);
        Assert.NotEqual((string?)first["id"], (string?)retry["id"]);
        Assert.Equal((string?)first["id"], (string?)retry["retryOf"]);
        Assert.Equal((1, 2), ((int)first["deliveryAttempt"]!, (int)retry["deliveryAttempt"]!));
        var secret = Encoding.UTF8.GetBytes(providers.Options.DfnsWebhookSecret);
        Assert.All(deliveries, d => Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(d.Body))), d.Signature));
        Assert.Equal([500, 200], providers.Sandbox.WebhookDeliveries.Take(2).Select(d => d.StatusCode));
    }
}
