using Microsoft.AspNetCore.Authentication;

namespace Payouts.Bus.Host.Access;

public static class AccessExtensions
{
    /// <summary>API-key authentication (and JWT bearer, when <c>Auth:Jwt</c> names an issuer) and one authorization policy per scope (the policy is named for the scope).</summary>
    public static IServiceCollection AddPayoutsAccess(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section)).ValidateDataAnnotations()
            .Validate(o => !(o.CreateDevelopmentKey && environment.IsProduction()),
                "Auth:CreateDevelopmentKey must not be on in Production: make keys with 'api-keys create' or give them in Auth:ApiKeys.")
            .ValidateOnStart();
        services.AddAuthentication(JwtAccess.SelectorScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtAccess(configuration);
        services.AddAuthorization(authorization =>
        {
            foreach (var scope in Scopes.All)
                authorization.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(Scopes.ClaimType, scope));
            authorization.AddPolicy(Scopes.PayoutsReadOrOperations,
                policy => policy.RequireAuthenticatedUser().RequireClaim(Scopes.ClaimType, Scopes.PayoutsRead, Scopes.Operations));
        });
        services.AddClientRateLimits(configuration);
        // After the schema migration, which is registered before.
        services.AddHostedService<DevelopmentKey>();
        return services;
    }
}
