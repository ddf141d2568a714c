using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Payouts.Bus.Contracts;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Providers;

/// <summary>Dfns user-action signing: the signature checked independently, and the sandbox enforcing it like Dfns.</summary>
public sealed class DfnsUserActionTests
{
    [Fact]
    public void Signed_client_data_verifies_with_the_credentials_public_key()
    {
        var sandbox = new Bus.Sandbox.SandboxOptions();
        var clientData = DfnsUserAction.ClientData("Y2hhbGxlbmdl", "https://payouts.bus");

        var signature = DfnsUserAction.Sign(sandbox.DfnsCredentialPrivateKey, clientData);

        var data = JsonNode.Parse(clientData)!;
        Assert.Equal(("key.get", "Y2hhbGxlbmdl", "https://payouts.bus", false),
            ((string?)data["type"], (string?)data["challenge"], (string?)data["origin"], (bool?)data["crossOrigin"]));
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(sandbox.DfnsCredentialPublicKey);
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(clientData), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(publicKey.VerifyData(Encoding.UTF8.GetBytes(clientData.Replace("Y2h", "Z2h", StringComparison.Ordinal)), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal("_-8", DfnsUserAction.Base64Url([0xFF, 0xEF]));
    }

    [Fact]
    public async Task Create_needs_a_user_action_for_exactly_that_body_used_once()
    {
        await using var providers = await SandboxedProviders.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(providers.Sandbox.BaseUrl, "dfns/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", providers.Options.DfnsApiToken);
        var body = CreateBody(Guid.NewGuid());

        var (unsigned, _) = await CreateAsync(http, body, userAction: null);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned);

        var token = await UserActionAsync(http, providers.Options, "/payouts", body);
        var (first, created) = await CreateAsync(http, body, token);
        Assert.Equal(HttpStatusCode.OK, first);
        Assert.StartsWith("pyt-", (string?)created["id"]);

        var (reused, refusal) = await CreateAsync(http, body, token);
        Assert.Equal(HttpStatusCode.Unauthorized, reused);
        Assert.Equal("user action has already been used", (string?)refusal["error"]!["message"]);

        var other = await UserActionAsync(http, providers.Options, "/payouts", body);
        var (elsewhere, _) = await CreateAsync(http, CreateBody(Guid.NewGuid()), other);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere);
    }

    [Fact]
    public async Task Assertion_signed_with_another_key_gets_no_user_action()
    {
        await using var providers = await SandboxedProviders.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(providers.Sandbox.BaseUrl, "dfns/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", providers.Options.DfnsApiToken);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var response = await AssertAsync(http, providers.Options, "/payouts", CreateBody(Guid.NewGuid()), stranger.ExportPkcs8PrivateKeyPem());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signature does not verify", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The challenge flow as providers.md describes it, done by hand.</summary>
    private static async Task<string> UserActionAsync(HttpClient http, Bus.Sandbox.SandboxOptions sandbox, string path, string body)
    {
        using var response = await AssertAsync(http, sandbox, path, body, sandbox.DfnsCredentialPrivateKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["userAction"]!;
    }

    private static async Task<HttpResponseMessage> AssertAsync(HttpClient http, Bus.Sandbox.SandboxOptions sandbox, string path, string body, string privateKeyPem)
    {
        using var init = await http.PostAsJsonAsync("auth/action/init", new
        {
            userActionPayload = body, userActionHttpMethod = "POST", userActionHttpPath = path, userActionServerKind = "Api",
        });
        var challenge = (await init.Content.ReadFromJsonAsync<JsonObject>())!;
        var clientData = $"{{\"type\":\"key.get\",\"challenge\":\"{challenge["challenge"]}\",\"origin\":\"https://tests\",\"crossOrigin\":false}}";
        using var key = ECDsa.Create();
        key.ImportFromPem(privateKeyPem);
        var signature = key.SignData(Encoding.UTF8.GetBytes(clientData), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return await http.PostAsJsonAsync("auth/action", new
        {
            challengeIdentifier = (string?)challenge["challengeIdentifier"],
            firstFactor = new
            {
                kind = "Key",
                credentialAssertion = new { credId = sandbox.DfnsCredentialId, clientData = Base64Url(Encoding.UTF8.GetBytes(clientData)), signature = Base64Url(signature) },
            },
        });
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> CreateAsync(HttpClient http, string body, string? userAction)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "payouts") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (userAction is not null)
            request.Headers.Add("X-DFNS-USERACTION", userAction);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    private static string CreateBody(Guid payoutId) => new JsonObject
    {
        ["walletId"] = "wa-5pfuu-9euek-h0odgb6snva8ph3k",
        ["asset"] = new JsonObject { ["kind"] = "Erc20", ["amount"] = "1000000000", ["contract"] = "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359" },
        ["fiatCurrency"] = "USD", ["provider"] = "Borderless", ["country"] = "US",
        ["borderlessAccountId"] = "sample-borderless-account", ["paymentInstructionsId"] = "pi-sample-bank-account-0001",
        ["paymentPurpose"] = "salary payment", ["externalId"] = payoutId.ToString(),
    }.ToJsonString();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
