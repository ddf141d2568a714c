using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Payouts.Bus.Persistence.Access;

namespace Payouts.Bus.Host.Access;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> (or Basic with the key as password, which is what a browser
/// sends to the dashboard). The key is hashed and looked up among the configured keys, then the
/// stored ones; the caller becomes a principal named for the key, with its scopes as claims and
/// the client whose payouts it acts on (<see cref="ClientClaim"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logs, UrlEncoder encoder,
    IOptionsMonitor<AccessOptions> access, ApiKeyStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logs, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The client the key acts for: <c>Auth:ApiKeys:&lt;name&gt;:Client</c> when set, otherwise the key's name.</summary>
    public const string ClientClaim = "client";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("Authorization", out var header))
            return AuthenticateResult.NoResult();
        if (PresentedKey(header.ToString()) is not { Length: > 0 } key)
            return AuthenticateResult.Fail("The Authorization header holds no API key (Bearer <key>).");

        var hash = ApiKeyHash.Of(key);
        var (name, scopes, client) = access.CurrentValue.ApiKeys
            .Where(k => k.Value.Key is not null && ApiKeyHash.Of(k.Value.Key) == hash)
            .Select(k => (k.Key, k.Value.Scopes, k.Value.Client))
            .FirstOrDefault();
        if (name is null && await store.FindAsync(hash, Context.RequestAborted) is { } stored)
        {
            (name, scopes) = (stored.Name, stored.Scopes);
            await store.RecordUseAsync(stored, Context.RequestAborted);
        }
        if (name is null)
            return AuthenticateResult.Fail("Unknown or revoked API key.");

        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClientClaim, client ?? name) };
        claims.AddRange(Scopes.Parse(scopes).Select(scope => new Claim(Scopes.ClaimType, scope)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Bearer for API clients; Basic makes a browser ask for the key when an operator opens the dashboard.
        Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"Payouts.Bus\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            "Send an API key: Authorization: Bearer <key>. " + ((await HandleAuthenticateOnceSafeAsync()).Failure?.Message ?? "None was sent."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>() ?? [];
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            $"The key '{Context.User.Identity?.Name}' lacks the scope this call needs: {string.Join(", ", needed)}.");
    }

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Response.WriteAsJsonAsync(new { type = "https://tools.ietf.org/html/rfc9110#section-15.5." + (status == 401 ? "2" : "4"), title, status, detail },
            options: null, contentType: "application/problem+json");
    }

    private static string? PresentedKey(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            return decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
