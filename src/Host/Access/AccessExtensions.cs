using Microsoft.AspNetCore.Authentication;

namespace Payouts.Bus.Host.Access;

public static class AccessExtensions
{
    /// <summary>API-key authentication and one authorization policy per scope (the policy is named for the scope).</summary>
    public static IServiceCollection AddPayoutsAccess(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section)).ValidateDataAnnotations()
            .Validate(o => !(o.CreateDevelopmentKey && environment.IsProduction()),
                "Auth:CreateDevelopmentKey must not be on in Production: make keys with 'api-keys create' or give them in Auth:ApiKeys.")
            .ValidateOnStart();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(authorization =>
        {
            foreach (var scope in Scopes.All)
                authorization.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(Scopes.ClaimType, scope));
        });
        services.AddClientRateLimits(configuration);
        // After the schema migration, which is registered before.
        services.AddHostedService<DevelopmentKey>();
        return services;
    }
}
