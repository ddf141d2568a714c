using System.Diagnostics;

namespace Payouts.Bus.Chaos;

/// <summary>
/// A built .NET program run as a process of its own (a processor host or the sandbox), configured through
/// environment variables, its output appended to a log file that outlives restarts. It can be killed like a
/// crash (SIGKILL) or stopped like a deploy (SIGTERM), and started again with the same settings.
/// </summary>
public sealed class ChildProcess(string name, string dll, Uri url, Uri readyPath, IReadOnlyDictionary<string, string> settings, string logFile) : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Lock _logGate = new();
    private Process? _process;

    public string Name => name;
    public Uri Url => url;

    /// <summary>Whether it answered its ready check since it was last started.</summary>
    public bool Ready { get; private set; }

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        // "Urls", not ASPNETCORE_URLS: the host's appsettings.json names its own, which outranks the ASPNETCORE_ variables.
        start.Environment["Urls"] = url.ToString();
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        Ready = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} could not be started");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Log($"--- chaos: {name} started, pid {process.Id}, {DateTime.UtcNow:O}");
    }

    /// <summary>Waits until it answers its ready check; fails when it exits or takes longer than <paramref name="within"/>.</summary>
    public async Task WaitReadyAsync(TimeSpan within)
    {
        var process = _process ?? throw new InvalidOperationException($"{name} was not started");
        var deadline = DateTime.UtcNow + within;
        var nextNote = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        string? answer = null;
        while (DateTime.UtcNow < deadline)
        {
            if (DateTime.UtcNow >= nextNote)
            {
                Log($"--- chaos: not ready yet {DateTime.UtcNow:O}: {answer ?? "no answer"}");
                nextNote = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            }
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before it was ready; see {logFile}");
            try
            {
                using var response = await Http.GetAsync(new Uri(url, readyPath));
                if (response.IsSuccessStatusCode)
                {
                    Ready = true;
                    Log($"--- chaos: ready {DateTime.UtcNow:O}");
                    return;
                }
                answer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                answer = e.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
        throw new TimeoutException($"{name} was not ready within {within.TotalSeconds:0} s; see {logFile}");
    }

    /// <summary>SIGKILL: no shutdown, nothing flushed, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        Ready = false;
        if (_process is not { HasExited: false } process)
            return;
        Log($"--- chaos: SIGKILL {DateTime.UtcNow:O}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a rolling deploy sends, then waits for the process to end on its own; false when it had to be killed.</summary>
    public async Task<bool> TerminateAsync(TimeSpan grace)
    {
        Ready = false;
        if (_process is not { HasExited: false } process)
            return true;
        Log($"--- chaos: SIGTERM {DateTime.UtcNow:O}");
        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await signal.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await TerminateAsync(TimeSpan.FromSeconds(20));
        _process?.Dispose();
    }

    private void Log(string? line)
    {
        if (line is null)
            return;
        lock (_logGate)
            File.AppendAllText(logFile, line + Environment.NewLine);
    }
}

/// <summary>Processes stopped together when the run ends, however it ends.</summary>
public sealed class ChildProcesses(IReadOnlyList<ChildProcess> all) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var process in all)
            await process.DisposeAsync();
    }
}
