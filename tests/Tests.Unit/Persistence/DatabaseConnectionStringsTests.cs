using Npgsql;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Tests.Unit.Persistence;

public sealed class DatabaseConnectionStringsTests
{
    [Fact]
    public void Postgres_pool_is_bounded_by_the_option_and_keeps_statements_prepared()
    {
        var built = new NpgsqlConnectionStringBuilder(DatabaseConnectionStrings.Postgres(
            "Host=db;Username=payouts;Password=x;Maximum Pool Size=500", new DatabaseOptions { MaxPoolSize = 12 }));

        Assert.Equal(12, built.MaxPoolSize);
        Assert.True(built.NoResetOnClose);
        Assert.Equal(64, built.MaxAutoPrepare);
    }

    [Fact]
    public void Postgres_settings_the_operator_chose_are_kept()
    {
        var built = new NpgsqlConnectionStringBuilder(DatabaseConnectionStrings.Postgres(
            "Host=db;Username=payouts;Password=x;No Reset On Close=false;Max Auto Prepare=0", new DatabaseOptions()));

        Assert.False(built.NoResetOnClose);
        Assert.Equal(0, built.MaxAutoPrepare);
        Assert.Equal(20, built.MaxPoolSize);
    }
}
