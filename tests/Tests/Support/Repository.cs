namespace Payouts.Bus.Tests.Support;

/// <summary>The repository the tests were built from: its scripts and deployment files are tested as shipped.</summary>
public static class Repository
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payouts.Bus.sln")))
                return dir.FullName;
        throw new InvalidOperationException("The repository root (Payouts.Bus.sln) is not above the test binaries.");
    }
}
