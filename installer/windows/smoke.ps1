# Install the MSI silently, use casework as a council's IT would, uninstall it, and check
# that the user's database and key slots are still there and the program folder is gone.
#   powershell -File installer\windows\smoke.ps1 dist\casework-X.Y.Z-perMachine.msi
param([Parameter(Mandatory = $true)] [string] $Msi)
$ErrorActionPreference = "Stop"
$Msi = (Resolve-Path $Msi).Path
$app = Join-Path $env:ProgramFiles "casework"
function Run($exe) {
  & $exe @args
  if ($LASTEXITCODE) { throw "$exe $args exited $LASTEXITCODE" }
}

$p = Start-Process msiexec.exe -ArgumentList "/i `"$Msi`" /qn /l*v install.log" -Wait -PassThru
if ($p.ExitCode) { Get-Content install.log -Tail 50; throw "install exited $($p.ExitCode)" }
$cli = Join-Path $app "casework-cli.exe"
if (-not (Test-Path $cli)) { throw "casework-cli.exe is not in $app" }
if (-not (Test-Path "$env:ProgramData\Microsoft\Windows\Start Menu\Programs\casework\casework.lnk")) {
  throw "no Start-menu shortcut"
}

$data = Join-Path $env:LOCALAPPDATA "casework-smoke"
New-Item -ItemType Directory -Force $data | Out-Null
$env:CASEWORK_PASSWORD = "smoke check admin password"
Run $cli --db "$data\cw.db" --user admin init --name "Smoke Admin"
Run $cli --db "$data\cw.db" --user admin check
$demo = & $cli --db "$data\demo.db" demo --cases 300
if ($LASTEXITCODE) { throw "demo exited $LASTEXITCODE" }
$env:CASEWORK_PASSWORD = (($demo | Select-String "^Password for every demo user: (.*)$").Matches[0].Groups[1].Value)
Run $cli --db "$data\demo.db" --user admin check
$d = Get-Date; $q = [math]::Floor(($d.Month - 1) / 3)
$quarter = if ($q -eq 0) { "$($d.Year - 1)Q4" } else { "$($d.Year)Q$q" }  # the last full quarter
Run $cli --db "$data\demo.db" --user coord export quarterly --quarter $quarter --out "$data\quarterly"

# The desktop program is a windowed executable: wait for it and read its exit code.
$shot = Join-Path $data "cases.png"
$p = Start-Process (Join-Path $app "casework.exe") -Wait -PassThru -ArgumentList `
  "--db `"$data\demo.db`" --user asb1 --page cases --screenshot `"$shot`""
if ($p.ExitCode -or -not (Test-Path $shot)) { throw "screenshot exited $($p.ExitCode)" }
$p = Start-Process (Join-Path $app "casework.exe") -Wait -PassThru -ArgumentList `
  "--db `"$data\demo.db`" --user asb1 --page admin --screenshot `"$data\admin.png`""
if (-not $p.ExitCode) { throw "a screen the user cannot see still exited 0" }

$p = Start-Process msiexec.exe -ArgumentList "/x `"$Msi`" /qn /l*v uninstall.log" -Wait -PassThru
if ($p.ExitCode) { throw "uninstall exited $($p.ExitCode)" }
if (Test-Path $cli) { throw "the program folder is still there after uninstall" }
foreach ($kept in "cw.db", "cw.db.keys", "demo.db", "demo.db.keys") {
  if (-not (Test-Path (Join-Path $data $kept))) { throw "uninstall removed $kept" }
}
Write-Output "windows smoke: OK"
