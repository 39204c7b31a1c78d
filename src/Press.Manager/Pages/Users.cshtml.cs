using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>Accounts (admin): the API's <see cref="Accounts"/> — create, disable, enable, reset; a new password is shown once.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class UsersModel(UserStore store, Accounts accounts) : PressPage
{
    public IReadOnlyList<UserStore.UserRecord> Users { get; private set; } = [];
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? NewRole { get; set; }
    [BindProperty] public bool BreakGlass { get; set; }

    /// <summary>A generated password, shown on this response only (never put in TempData or a URL).</summary>
    public (string User, string Password)? Shown { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    protected override async Task LoadAsync() => Users = await store.ListAsync(HttpContext.RequestAborted);

    public Task<IActionResult> OnPostCreateAsync() => MutateAsync(Roles.Admin, async () =>
    {
        var created = await accounts.CreateAsync(Name?.Trim() ?? "", NewRole ?? Roles.Viewer, BreakGlass, Actor, HttpContext.RequestAborted);
        return await ShowPasswordAsync(created.User.Name, created.Password, $"Created {created.User.Name}.");
    });

    public Task<IActionResult> OnPostDisableAsync(string name) => MutateAsync(Roles.Admin, async () =>
    {
        var (user, ended) = await accounts.SetDisabledAsync(name, true, User.UserId(), Actor, HttpContext.RequestAborted);
        Flash = $"Disabled {user.Name}; {ended} session(s) ended.";
        return Redirect("/users");
    }, "/users");

    public Task<IActionResult> OnPostEnableAsync(string name) => MutateAsync(Roles.Admin, async () =>
    {
        await accounts.SetDisabledAsync(name, false, User.UserId(), Actor, HttpContext.RequestAborted);
        Flash = $"Enabled {name}.";
        return Redirect("/users");
    }, "/users");

    public Task<IActionResult> OnPostResetAsync(string name) => MutateAsync(Roles.Admin, async () =>
    {
        if (await accounts.ResetPasswordAsync(name, Actor, HttpContext.RequestAborted) is not { } reset)
        {
            FlashError = $"'{name}' signs in through single sign-on; reset its password at the identity provider.";
            return Redirect("/users");
        }
        return await ShowPasswordAsync(reset.User.Name, reset.Password, $"New password for {reset.User.Name}; its sessions ended.");
    }, "/users");

    private async Task<IActionResult> ShowPasswordAsync(string user, string password, string message)
    {
        Shown = (user, password);
        Flash = message;
        await LoadAsync();
        return Page();
    }
}
