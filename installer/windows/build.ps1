# Build the Windows MSI from the PyInstaller folder (run from the repository root, in an
# environment where casework and pyinstaller are installed, with WiX Toolset 3 on PATH or
# in %WIX%). Signs the executables before packaging and the MSI after, when a certificate
# is configured (see sign.ps1).
#
#   powershell -File installer\windows\build.ps1 [-Scope perMachine|perUser]
param(
  [ValidateSet("perMachine", "perUser")] [string] $Scope = "perMachine",
  [switch] $Sign
)
$ErrorActionPreference = "Stop"
$root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $root
$version = (python -c "from importlib.metadata import version; print(version('casework'))").Trim()
$dist = "dist\casework"
if (-not (Test-Path "$dist\casework.exe")) {
  pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\casework.spec
  if ($LASTEXITCODE) { throw "pyinstaller failed" }
}
if ($Sign) { & "$PSScriptRoot\sign.ps1" "$dist\casework.exe", "$dist\casework-cli.exe" }

$wix = if ($env:WIX) { Join-Path $env:WIX "bin" } else { "" }
function Wix($tool) { if ($wix) { Join-Path $wix "$tool.exe" } else { "$tool.exe" } }
New-Item -ItemType Directory -Force build\wix | Out-Null
# Every file of the folder becomes a component of the group Payload under INSTALLDIR.
& (Wix heat) dir $dist -nologo -cg Payload -dr INSTALLDIR -srd -gg -sfrag -sreg `
  -var var.SourceDir -out build\wix\payload.wxs
if ($LASTEXITCODE) { throw "heat failed" }
& (Wix candle) -nologo -arch x64 "-dVersion=$version" "-dSourceDir=$dist" "-dScope=$Scope" `
  -dWin64=yes -out build\wix\ installer\windows\casework.wxs build\wix\payload.wxs
if ($LASTEXITCODE) { throw "candle failed" }
$msi = "dist\casework-$version-$Scope.msi"
& (Wix light) -nologo -out $msi build\wix\casework.wixobj build\wix\payload.wixobj
if ($LASTEXITCODE) { throw "light failed" }
if ($Sign) { & "$PSScriptRoot\sign.ps1" $msi }
Write-Output $msi
