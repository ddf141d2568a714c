using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Payouts.Bus.Contracts;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

/// <summary>How <see cref="PayoutState"/> maps onto the <c>payout_saga</c> table of Migrations/*/0001_payout_saga.sql and later scripts.</summary>
internal sealed class PayoutStateMap(string? jsonColumnType) : IEntityTypeConfiguration<PayoutState>
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<PayoutState> payout)
    {
        payout.ToTable("payout_saga");
        payout.HasKey(x => x.CorrelationId);
        payout.Property(x => x.CorrelationId).HasColumnName("correlation_id").ValueGeneratedNever();
        payout.Property(x => x.CurrentState).HasColumnName("current_state");
        payout.Property(x => x.Version).HasColumnName("version").IsConcurrencyToken();
        payout.Property(x => x.ExternalId).HasColumnName("external_id");
        payout.Property(x => x.Client).HasColumnName("client");
        payout.Property(x => x.IdempotencyKey).HasColumnName("idempotency_key");
        payout.HasIndex(x => x.IdempotencyKey).IsUnique();
        payout.Property(x => x.RequestFingerprint).HasColumnName("request_fingerprint");
        payout.Property(x => x.Provider).HasColumnName("provider").HasConversion<string>();
        payout.Property(x => x.Amount).HasColumnName("amount");
        payout.Property(x => x.AmountScale).HasColumnName("amount_scale");
        payout.Property(x => x.Currency).HasColumnName("currency");
        payout.Property(x => x.Network).HasColumnName("network");
        payout.Property(x => x.Destination).HasColumnName("destination");
        payout.Property(x => x.Memo).HasColumnName("memo");
        Json(payout.Property(x => x.Dfns).HasColumnName("dfns"), ValueComparer.CreateDefault<DfnsPayoutDetails?>(false));
        payout.Property(x => x.ProviderReference).HasColumnName("provider_reference");
        payout.Property(x => x.ProviderStatus).HasColumnName("provider_status");
        payout.Property(x => x.DepositAddress).HasColumnName("deposit_address");
        payout.Property(x => x.DepositAmount).HasColumnName("deposit_amount");
        payout.Property(x => x.ConfirmationExpiresAt).HasColumnName("confirmation_expires_at");
        payout.Property(x => x.ConfirmationSentAt).HasColumnName("confirmation_sent_at");
        payout.Property(x => x.CheckId).HasColumnName("check_id");
        payout.Property(x => x.TraceParent).HasColumnName("trace_parent");
        payout.Property(x => x.TxHash).HasColumnName("tx_hash");
        payout.Property(x => x.Fee).HasColumnName("fee");
        payout.Property(x => x.FailureCode).HasColumnName("failure_code");
        payout.Property(x => x.FailureMessage).HasColumnName("failure_message");
        payout.Property(x => x.CreatedAt).HasColumnName("created_at");
        payout.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        payout.Property(x => x.ConfirmationExpiryTokenId).HasColumnName("confirmation_expiry_token_id");
        payout.Property(x => x.SubmissionExpiryTokenId).HasColumnName("submission_expiry_token_id");
        payout.Property(x => x.StatusPollTokenId).HasColumnName("status_poll_token_id");
        payout.Property(x => x.StatusPolls).HasColumnName("status_polls");
        payout.Property(x => x.SubmitRetryTokenId).HasColumnName("submit_retry_token_id");
        payout.Property(x => x.Routed).HasColumnName("routed");
        payout.Property(x => x.Route).HasColumnName("route");
        payout.Property(x => x.FailedProviders).HasColumnName("failed_providers");
        payout.Ignore(x => x.Tried);
        // History is appended to on every transition; compare it by content so that appends are saved.
        Json(payout.Property(x => x.History).HasColumnName("history"), new ValueComparer<List<PayoutHistoryEntry>>(
            (a, b) => a!.SequenceEqual(b!), list => list.Aggregate(0, (hash, entry) => HashCode.Combine(hash, entry)), list => list.ToList()));
        payout.Ignore(x => x.Money);
    }

    private void Json<T>(PropertyBuilder<T> property, ValueComparer comparer)
    {
        property.HasConversion(
            value => JsonSerializer.Serialize(value, JsonOptions),
            text => JsonSerializer.Deserialize<T>(text, JsonOptions)!,
            comparer);
        if (jsonColumnType is not null)
            property.HasColumnType(jsonColumnType);
    }
}
