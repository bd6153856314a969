; Leshan Reader installer (NSIS 3, Unicode). Built by packaging/build.py:
;   makensis -V3 -DVERSION=0.1.0 -DBUNDLE=<frozen LeshanReader folder> -DOUTDIR=<dist> installer.nsi
; Per-user install (no administrator rights) by default; "all users" when run elevated with /ALLUSERS.
; Silent: setup.exe /S [/ALLUSERS] [/D=C:\path]; uninstall: uninstall.exe /S.
; A 64-bit installer (the app is x64 only; Wine without wine32 runs it too).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
SetCompressorDictSize 64

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef BUNDLE
  !error "pass -DBUNDLE=path\to\LeshanReader (the PyInstaller onedir folder)"
!endif
!ifndef OUTDIR
  !define OUTDIR "."
!endif

!define APP_NAME "Leshan Reader"
!define APP_NAME_ZH "乐山日报阅读器"
!define APP_ID "LeshanReader"
!define EXE "LeshanReader.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"

Name "${APP_NAME_ZH} ${VERSION}"
OutFile "${OUTDIR}\LeshanReader-${VERSION}-windows-x64-setup.exe"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
InstallDirRegKey HKCU "Software\${APP_ID}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${APP_NAME}"

!define MUI_ICON "..\..\resources\icons\leshan-reader.ico"
!define MUI_UNICON "..\..\resources\icons\leshan-reader.ico"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; Chinese first: the installer asks, defaulting to the system language.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString StartMenuName ${LANG_SIMPCHINESE} "${APP_NAME_ZH}"
LangString StartMenuName ${LANG_ENGLISH} "${APP_NAME}"
LangString NeedsX64 ${LANG_SIMPCHINESE} "本程序需要 64 位 Windows 10 或更新版本。"
LangString NeedsX64 ${LANG_ENGLISH} "This program needs 64-bit Windows 10 or later."

Var Context  ; "user" or "all"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(NeedsX64)" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  StrCpy $Context "user"
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/ALLUSERS" $1
  ${IfNot} ${Errors}
    StrCpy $Context "all"
    SetShellVarContext all
    StrCpy $INSTDIR "$PROGRAMFILES64\${APP_ID}"
  ${EndIf}
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Section "Install"
  SetOutPath "$INSTDIR"
  ; Replace an earlier version's files completely (the archive lives in the user data folder).
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\$(StartMenuName).lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  ${If} $Context == "all"
    StrCpy $0 HKLM
    WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /ALLUSERS'
  ${Else}
    WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
    WriteRegStr HKCU "Software\${APP_ID}" "InstallDir" "$INSTDIR"
  ${EndIf}
  ${GetSize} "$INSTDIR" "/S=0K" $1 $2 $3
  ${If} $Context == "all"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME_ZH} (${APP_NAME})"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${APP_NAME}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $1
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${Else}
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME_ZH} (${APP_NAME})"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP_NAME}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $1
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${EndIf}
SectionEnd

Function un.onInit
  SetRegView 64
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/ALLUSERS" $1
  ${IfNot} ${Errors}
    SetShellVarContext all
  ${EndIf}
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Section "Uninstall"
  ; The reader's archive and settings are in the user data folder and are kept: they are the
  ; user's work, not the program's.
  Delete "$SMPROGRAMS\$(StartMenuName).lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\leshan-reader.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${APP_ID}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
