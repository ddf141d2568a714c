using System.Diagnostics;
using System.Text;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// The broker users scripts/broker-users.sh makes, against the real RabbitMQ: an upstream user pays
/// and hears how payouts end, and is refused everything that would let it forge or read the
/// processor's internal messages.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BrokerPermissionsTests(RabbitMqHostFixture host) : IAsyncLifetime
{
    private const string ProviderNews = "payouts.processing.provider-payout-updated";
    private readonly string _upstream = "upstream-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _processor = "processor-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _password = Guid.NewGuid().ToString("N");
    private IConnection _connection = null!;

    public async Task InitializeAsync()
    {
        await BrokerUsersAsync();
        var url = new UriBuilder(host.HostBrokerUrl) { UserName = _upstream, Password = _password }.Uri;
        _connection = await new ConnectionFactory { Uri = url }.CreateConnectionAsync();
    }

    [Fact]
    public async Task Upstream_user_publishes_commands_and_binds_its_queue_to_an_event_exchange()
    {
        await using var channel = await _connection.CreateChannelAsync();
        var queue = $"{_upstream}.completed";

        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue, "payouts.payout-completed", "");
        await channel.BasicPublishAsync("payouts.request-payout", "", mandatory: false,
            new BasicProperties { ContentType = "application/json" }, Encoding.UTF8.GetBytes("{}"));

        Assert.True(channel.IsOpen, channel.CloseReason?.ToString());
    }

    [Fact]
    public async Task Upstream_user_is_refused_publishing_provider_news()
    {
        var channel = await _connection.CreateChannelAsync();

        await PublishAsync(channel, ProviderNews, "");

        await AssertRefusedAsync(channel);
    }

    [Fact]
    public async Task Upstream_user_is_refused_sending_straight_to_the_sagas_queue()
    {
        var channel = await _connection.CreateChannelAsync();

        await PublishAsync(channel, "", "payout-state");

        await AssertRefusedAsync(channel);
    }

    [Fact]
    public async Task Upstream_user_is_refused_binding_a_queue_to_an_internal_exchange()
    {
        await using var channel = await _connection.CreateChannelAsync();
        var queue = $"{_upstream}.spy";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);

        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueBindAsync(queue, ProviderNews, ""));

        Assert.Equal((ushort)403, refused.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task Upstream_user_is_refused_declaring_a_queue_named_for_the_processor()
    {
        await using var channel = await _connection.CreateChannelAsync();

        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclareAsync("payout-state", durable: true, exclusive: false, autoDelete: false));

        Assert.Equal((ushort)403, refused.ShutdownReason?.ReplyCode);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await RabbitMqBroker.ControlAsync("delete_user", _upstream);
        await RabbitMqBroker.ControlAsync("delete_user", _processor);
    }

    private static async Task PublishAsync(IChannel channel, string exchange, string routingKey)
    {
        try
        {
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: false,
                new BasicProperties { ContentType = "application/vnd.masstransit+json" }, Encoding.UTF8.GetBytes("{}"));
        }
        catch (AlreadyClosedException)
        {
            // The refusal may close the channel before the publish call returns.
        }
    }

    /// <summary>A publish the broker refuses closes the channel with 403 ACCESS_REFUSED.</summary>
    private static async Task AssertRefusedAsync(IChannel channel)
    {
        var reason = await Eventually.Until(() => Task.FromResult(channel.CloseReason), r => r is not null, "the broker to close the channel");
        Assert.Equal((ushort)403, reason!.ReplyCode);
        Assert.Contains("ACCESS_REFUSED", reason.ReplyText, StringComparison.Ordinal);
        await channel.DisposeAsync();
    }

    private async Task BrokerUsersAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(Repository.Root, "scripts", "broker-users.sh"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["PROCESSOR_PASSWORD"] = _password, ["UPSTREAM_PASSWORD"] = _password },
        };
        foreach (var argument in new[] { new Uri(host.HostBrokerUrl).AbsolutePath.TrimStart('/'), _processor, _upstream })
            start.ArgumentList.Add(argument);
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var error = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        Assert.True(script.ExitCode == 0, $"broker-users.sh exited with {script.ExitCode}: {await error}{await output}");
    }
}
