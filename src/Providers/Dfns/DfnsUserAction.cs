using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Providers.Dfns;

/// <summary>
/// Dfns user-action signing (providers.md): every call that changes something carries
/// <c>X-DFNS-USERACTION</c>, a single-use token for exactly that method, path and body. It is obtained
/// by asking for a challenge (<c>POST /auth/action/init</c>), signing
/// <c>{type:"key.get", challenge, origin, crossOrigin:false}</c> with the service account's credential
/// key, and trading the signature for the token (<c>POST /auth/action</c>).
/// </summary>
/// <remarks>
/// Assumption: the credential key is ECDSA P-256 and signs the clientData bytes with SHA-256 (DER
/// signature, base64url), as Dfns' own key signer does for EC keys.
/// </remarks>
public static class DfnsUserAction
{
    public const string Header = "X-DFNS-USERACTION";

    /// <summary>The <c>clientData</c> JSON for a challenge, exactly as it will be signed and sent.</summary>
    public static string ClientData(string challenge, string origin) =>
        JsonSerializer.Serialize(new { type = "key.get", challenge, origin, crossOrigin = false });

    /// <summary>ECDSA P-256 / SHA-256 signature of the clientData bytes, DER encoded.</summary>
    public static byte[] Sign(string privateKeyPem, string clientData)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(privateKeyPem);
        return key.SignData(Encoding.UTF8.GetBytes(clientData), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Runs the challenge flow for one request and returns its user-action token.</summary>
    internal static async Task<string> ObtainAsync(HttpClient http, DfnsOptions options, HttpMethod method, string path, string body, CancellationToken cancellationToken)
    {
        var init = new DfnsUserActionInit(body, method.Method, path, "Api");
        using var challengeResponse = await PostAsync(http, options, "auth/action/init", init, repeatable: true, cancellationToken);
        var challenge = await ProviderHttp.ReadAsync<DfnsUserActionChallenge>(challengeResponse, DfnsJson.Options, PayoutProvider.Dfns, cancellationToken);

        var clientData = ClientData(challenge.Challenge, options.AppOrigin);
        var assertion = new DfnsUserActionAssertion(challenge.ChallengeIdentifier, new DfnsFirstFactor("Key", new DfnsCredentialAssertion(
            options.CredentialId, Base64Url(Encoding.UTF8.GetBytes(clientData)), Base64Url(Sign(options.CredentialPrivateKey, clientData)))));
        using var actionResponse = await PostAsync(http, options, "auth/action", assertion, repeatable: false, cancellationToken);
        return (await ProviderHttp.ReadAsync<DfnsUserActionToken>(actionResponse, DfnsJson.Options, PayoutProvider.Dfns, cancellationToken)).UserAction;
    }

    /// <param name="repeatable">
    /// Asking for a challenge may be repeated; answering one may not: a challenge is used once, so a
    /// lost answer means starting over with a new challenge (the caller's retry does).
    /// </param>
    private static async Task<HttpResponseMessage> PostAsync<T>(HttpClient http, DfnsOptions options, string path, T body, bool repeatable, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: DfnsJson.Options) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiToken);
        // Neither changes anything at Dfns: a failure leaves the payout as it was ("unavailable").
        var response = await ProviderHttp.SendAsync(http, request, PayoutProvider.Dfns, changesState: false, cancellationToken, repeatable);
        if (response.IsSuccessStatusCode)
            return response;
        var text = await ProviderHttp.ReadTextAsync(response, cancellationToken);
        response.Dispose();
        throw new ProviderUnavailableException(PayoutProvider.Dfns, $"user-action signing refused at {path} ({(int)response.StatusCode}): {text}; " +
            "check Providers:Dfns:ApiToken (the bearer token), CredentialId and CredentialPrivateKey");
    }
}
