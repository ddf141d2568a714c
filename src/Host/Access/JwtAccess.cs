using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Payouts.Bus.Host.Access;

/// <summary>Configuration section <c>Auth:Jwt</c>: OAuth access tokens from an OpenID Connect issuer, beside API keys.</summary>
public sealed class JwtOptions
{
    public const string Section = "Auth:Jwt";

    /// <summary>The issuer (its discovery document is at <c>/.well-known/openid-configuration</c>); unset, only API keys are accepted.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The audience tokens must be issued for.</summary>
    public string? Audience { get; set; }

    /// <summary>Fetch the issuer's metadata over HTTPS only. Off only for a local issuer.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>
/// Optional JWT bearer authentication: a bearer token that is a JWT (three dot-separated parts) is
/// validated against <c>Auth:Jwt</c>; anything else is an API key. A token's space-separated
/// <c>scope</c> claim grants the same scopes a key has, and its client (<c>client_id</c>, else
/// <c>azp</c>, else <c>sub</c>) owns the payouts it requests.
/// </summary>
public static class JwtAccess
{
    private const string SchemeName = "Jwt";
    public const string SelectorScheme = "ApiKeyOrJwt";

    public static AuthenticationBuilder AddJwtAccess(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var jwt = configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        authentication.AddPolicyScheme(SelectorScheme, "API key or JWT", policy =>
        {
            policy.ForwardDefaultSelector = http => jwt.Authority is not null && IsJwt(http.Request.Headers.Authorization.ToString())
                ? SchemeName
                : ApiKeyAuthenticationHandler.SchemeName;
            // Challenges and refusals read the same whichever credential was sent.
            policy.ForwardChallenge = ApiKeyAuthenticationHandler.SchemeName;
            policy.ForwardForbid = ApiKeyAuthenticationHandler.SchemeName;
        });
        if (jwt.Authority is null)
            return authentication;
        if (string.IsNullOrWhiteSpace(jwt.Audience))
            throw new InvalidOperationException("Auth:Jwt:Authority is set but Auth:Jwt:Audience is not: tokens must be checked for this audience.");
        return authentication.AddJwtBearer(SchemeName, options =>
        {
            options.Authority = jwt.Authority.ToString();
            options.Audience = jwt.Audience;
            options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
            options.MapInboundClaims = false;
            options.Events = new JwtBearerEvents { OnTokenValidated = context => Grant(context) };
        });
    }

    private static bool IsJwt(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.AsSpan(7).Count('.') == 2;

    /// <summary>The token's scopes one per claim and its client named, as an API key's principal has them.</summary>
    private static Task Grant(Microsoft.AspNetCore.Authentication.JwtBearer.TokenValidatedContext context)
    {
        var token = context.Principal!;
        var client = token.FindFirst("client_id")?.Value ?? token.FindFirst("azp")?.Value ?? token.FindFirst("sub")?.Value;
        if (client is null)
        {
            context.Fail("The token names no client (client_id, azp or sub).");
            return Task.CompletedTask;
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, client), new(ApiKeyAuthenticationHandler.ClientClaim, client) };
        claims.AddRange(token.FindAll("scope").SelectMany(c => Scopes.Parse(c.Value)).Distinct().Select(scope => new Claim(Scopes.ClaimType, scope)));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return Task.CompletedTask;
    }
}
