using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>OAuth access tokens from an OpenID Connect issuer, beside API keys: scopes from the scope claim, the client owns its payouts.</summary>
public sealed class JwtAccessTests(JwtAccessTests.JwtHost host) : IClassFixture<JwtAccessTests.JwtHost>
{
    [Fact]
    public async Task Token_with_the_scopes_requests_and_reads_its_clients_payout()
    {
        using var erp = Client(host.Token("erp", "payouts:write payouts:read"));

        using var created = await erp.PostAsJsonAsync("/payouts", PayoutsHostFixture.Sample("thedex"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var payoutId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["payoutId"]!.GetValue<Guid>();
        using var read = await erp.GetAsync($"/payouts/{payoutId}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("erp", (string?)(await read.Content.ReadFromJsonAsync<JsonObject>())!["client"]);
    }

    [Fact]
    public async Task Token_without_the_scope_is_refused_403()
    {
        using var reader = Client(host.Token("reporting", "payouts:read"));

        using var created = await reader.PostAsJsonAsync("/payouts", PayoutsHostFixture.Sample("thedex"));

        Assert.Equal(HttpStatusCode.Forbidden, created.StatusCode);
        Assert.Contains("payouts:write", await created.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_signed_by_another_key_or_expired_is_refused_401()
    {
        using var forged = Client(host.Token("erp", "payouts:read", signedBy: new RsaSecurityKey(RSA.Create(2048))));
        using var expired = Client(host.Token("erp", "payouts:read", expires: DateTime.UtcNow.AddMinutes(-10)));

        using var forgedAnswer = await forged.GetAsync($"/payouts/{Guid.NewGuid()}");
        using var expiredAnswer = await expired.GetAsync($"/payouts/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.Unauthorized, forgedAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expiredAnswer.StatusCode);
    }

    [Fact]
    public async Task Api_keys_still_work_beside_tokens()
    {
        using var response = await host.Http.GetAsync($"/payouts/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private HttpClient Client(string token) =>
        new() { BaseAddress = host.Http.BaseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

    /// <summary>The embedded host trusting a small OpenID Connect issuer that runs in the test, over loopback.</summary>
    public sealed class JwtHost : PayoutsHostFixture
    {
        private const string Audience = "payouts-bus";
        private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
        private WebApplication? _issuer;
        private string _issuerUrl = "";

        public string Token(string client, string scope, SecurityKey? signedBy = null, DateTime? expires = null) =>
            new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = _issuerUrl,
                Audience = Audience,
                Claims = new Dictionary<string, object> { ["client_id"] = client, ["scope"] = scope },
                NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-20),
                Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
                SigningCredentials = new SigningCredentials(signedBy ?? _key, SecurityAlgorithms.RsaSha256),
            });

        protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _issuer = builder.Build();
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
            _issuer.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string> { ["issuer"] = _issuerUrl, ["jwks_uri"] = _issuerUrl + "/jwks" }));
            _issuer.MapGet("/jwks", () => Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } }));
            await _issuer.StartAsync();
            _issuerUrl = _issuer.Urls.Single().TrimEnd('/');
            return new Dictionary<string, string>
            {
                ["Auth:Jwt:Authority"] = _issuerUrl,
                ["Auth:Jwt:Audience"] = Audience,
                ["Auth:Jwt:RequireHttpsMetadata"] = "false",
            };
        }

        protected override async Task CleanUpAsync()
        {
            if (_issuer is not null)
                await _issuer.DisposeAsync();
        }
    }
}
