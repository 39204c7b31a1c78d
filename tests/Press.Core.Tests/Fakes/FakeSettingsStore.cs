using Press.Core.Ports;
using Press.Core.Settings;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSettingsStore(PressSettings settings) : ISettingsStore
{
    public int Reads { get; private set; }

    public Task<PressSettings> GetAsync(CancellationToken ct)
    {
        Reads++;
        return Task.FromResult(settings);
    }
}
