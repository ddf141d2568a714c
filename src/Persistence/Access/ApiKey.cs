using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Payouts.Bus.Persistence.Access;

/// <summary>A client's API key as stored: its name, the hash of the key, and what it may do.</summary>
public sealed class ApiKey
{
    public required string Name { get; init; }
    /// <summary>Hex SHA-256 of the key (<see cref="ApiKeyHash"/>); keys are long random strings, so no salt or stretching is needed.</summary>
    public required string KeyHash { get; init; }
    /// <summary>Space-separated, as in OAuth: <c>payouts:write payouts:read</c>.</summary>
    public required string Scopes { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? RevokedAt { get; set; }
    /// <summary>When the key was last presented, to the minute (<see cref="ApiKeyStore.RecordUseAsync"/>): keys nobody uses can be revoked.</summary>
    public DateTime? LastUsedAt { get; set; }
}

/// <summary>How <see cref="ApiKey"/> maps onto <c>api_key</c> (Migrations/*/0007_api_key.sql).</summary>
internal sealed class ApiKeyMap : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.ToTable("api_key");
        key.HasKey(k => k.Name);
        key.Property(k => k.Name).HasColumnName("name").HasMaxLength(100);
        key.Property(k => k.KeyHash).HasColumnName("key_hash").HasMaxLength(64);
        key.Property(k => k.Scopes).HasColumnName("scopes").HasMaxLength(400);
        key.Property(k => k.CreatedAt).HasColumnName("created_at");
        key.Property(k => k.RevokedAt).HasColumnName("revoked_at");
        key.Property(k => k.LastUsedAt).HasColumnName("last_used_at");
        key.HasIndex(k => k.KeyHash).IsUnique();
    }
}
