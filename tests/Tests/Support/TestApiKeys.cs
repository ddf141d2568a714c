using System.Net.Http.Headers;
using Payouts.Bus.Host.Access;

namespace Payouts.Bus.Tests.Support;

/// <summary>The API keys test hosts are started with (Auth:ApiKeys), and clients that send them.</summary>
public static class TestApiKeys
{
    /// <summary>Every scope: what the suite's own client uses.</summary>
    public const string Everything = "pbk_test_every_scope_0123456789abcdef";
    public const string ReadOnly = "pbk_test_read_only_0123456789abcdef";
    public const string WriteOnly = "pbk_test_write_only_0123456789abcdef";

    /// <summary>Two upstream clients with every payout scope but not <c>operations</c>: each sees its own payouts only.</summary>
    public const string ClientA = "pbk_test_client_a_0123456789abcdef";
    public const string ClientB = "pbk_test_client_b_0123456789abcdef";

    public static IReadOnlyDictionary<string, string> Settings() => new Dictionary<string, string>
    {
        ["Auth:ApiKeys:tests:Key"] = Everything,
        ["Auth:ApiKeys:tests:Scopes"] = string.Join(' ', Scopes.All),
        ["Auth:ApiKeys:reader:Key"] = ReadOnly,
        ["Auth:ApiKeys:reader:Scopes"] = Scopes.PayoutsRead,
        ["Auth:ApiKeys:reader:Client"] = "tests",
        ["Auth:ApiKeys:writer:Key"] = WriteOnly,
        ["Auth:ApiKeys:writer:Scopes"] = Scopes.PayoutsWrite,
        ["Auth:ApiKeys:writer:Client"] = "tests",
        ["Auth:ApiKeys:client-a:Key"] = ClientA,
        ["Auth:ApiKeys:client-a:Scopes"] = $"{Scopes.PayoutsWrite} {Scopes.PayoutsRead} {Scopes.PayoutsApprove}",
        ["Auth:ApiKeys:client-b:Key"] = ClientB,
        ["Auth:ApiKeys:client-b:Scopes"] = $"{Scopes.PayoutsWrite} {Scopes.PayoutsRead} {Scopes.PayoutsApprove}",
    };

    /// <summary>Bus:InternalMessageKey of every test host on RabbitMQ.</summary>
    public const string InternalMessageKey = "test-internal-message-key-0123456789abcdef";

    public static HttpClient Client(Uri baseAddress, string key = Everything) =>
        new() { BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };
}
