namespace Payouts.Bus.Bench;

/// <summary>A progress line on standard error, rewritten every second.</summary>
public sealed class Progress : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private Progress(Func<string> line)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    Console.Error.Write($"\r  {line()}   ");
            }
            catch (OperationCanceledException)
            {
            }
            Console.Error.WriteLine($"\r  {line()}   ");
        });
    }

    public static Progress Start(Func<string> line) => new(line);

    public void Stop()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _loop.Wait();
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
