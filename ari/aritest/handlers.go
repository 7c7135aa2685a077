package aritest

// handlers maps the simulated operations ("resource.nickname") to their
// handlers. Every other operation of the 22.10.1 API answers 501.
func handlers() map[string]handler {
	return map[string]handler{
		"applications.list":        hApplicationsList,
		"applications.get":         hApplicationsGet,
		"applications.subscribe":   hApplicationsSubscribe,
		"applications.unsubscribe": hApplicationsUnsubscribe,
		"applications.filter":      hApplicationsFilter,

		"asterisk.getObject":       hAsteriskGetObject,
		"asterisk.updateObject":    hAsteriskUpdateObject,
		"asterisk.deleteObject":    hAsteriskDeleteObject,
		"asterisk.getInfo":         hAsteriskGetInfo,
		"asterisk.ping":            hAsteriskPing,
		"asterisk.listModules":     hAsteriskListModules,
		"asterisk.getModule":       hAsteriskGetModule,
		"asterisk.loadModule":      hAsteriskLoadModule,
		"asterisk.unloadModule":    hAsteriskUnloadModule,
		"asterisk.reloadModule":    hAsteriskReloadModule,
		"asterisk.listLogChannels": hAsteriskListLogChannels,
		"asterisk.addLog":          hAsteriskAddLog,
		"asterisk.deleteLog":       hAsteriskDeleteLog,
		"asterisk.rotateLog":       hAsteriskRotateLog,
		"asterisk.getGlobalVar":    hAsteriskGetGlobalVar,
		"asterisk.setGlobalVar":    hAsteriskSetGlobalVar,

		"bridges.list":             hBridgesList,
		"bridges.create":           hBridgesCreate,
		"bridges.createWithId":     hBridgesCreateWithID,
		"bridges.get":              hBridgesGet,
		"bridges.destroy":          hBridgesDestroy,
		"bridges.getBridgeVar":     hBridgesGetBridgeVar,
		"bridges.setBridgeVar":     hBridgesSetBridgeVar,
		"bridges.getBridgeVars":    hBridgesGetBridgeVars,
		"bridges.setBridgeVars":    hBridgesSetBridgeVars,
		"bridges.addChannel":       hBridgesAddChannel,
		"bridges.removeChannel":    hBridgesRemoveChannel,
		"bridges.setVideoSource":   hBridgesSetVideoSource,
		"bridges.clearVideoSource": hBridgesClearVideoSource,
		"bridges.startMoh":         hBridgesStartMOH,
		"bridges.stopMoh":          hBridgesStopMOH,
		"bridges.play":             hBridgesPlay,
		"bridges.playWithId":       hBridgesPlayWithID,
		"bridges.record":           hBridgesRecord,

		"channels.list":               hChannelsList,
		"channels.originate":          hChannelsOriginate,
		"channels.create":             hChannelsCreate,
		"channels.get":                hChannelsGet,
		"channels.originateWithId":    hChannelsOriginateWithID,
		"channels.hangup":             hChannelsHangup,
		"channels.continueInDialplan": hChannelsContinueInDialplan,
		"channels.move":               hChannelsMove,
		"channels.redirect":           hChannelsRedirect,
		"channels.answer":             hChannelsAnswer,
		"channels.ring":               hChannelsRing,
		"channels.ringStop":           hChannelFlag(ringingFlag, false),
		"channels.rtpstatistics":      hChannelsRTPStatistics,
		"channels.progress":           hChannelsProgress,
		"channels.sendDTMF":           hChannelsSendDTMF,
		"channels.mute":               hChannelsMute,
		"channels.unmute":             hChannelsUnmute,
		"channels.hold":               hChannelsHold,
		"channels.unhold":             hChannelsUnhold,
		"channels.startMoh":           hChannelFlag(mohFlag, true),
		"channels.stopMoh":            hChannelFlag(mohFlag, false),
		"channels.startSilence":       hChannelFlag(silenceFlag, true),
		"channels.stopSilence":        hChannelFlag(silenceFlag, false),
		"channels.play":               hChannelsPlay,
		"channels.playWithId":         hChannelsPlayWithID,
		"channels.record":             hChannelsRecord,
		"channels.getChannelVar":      hChannelsGetChannelVar,
		"channels.setChannelVar":      hChannelsSetChannelVar,
		"channels.getChannelVars":     hChannelsGetChannelVars,
		"channels.setChannelVars":     hChannelsSetChannelVars,
		"channels.snoopChannel":       hChannelsSnoopChannel,
		"channels.snoopChannelWithId": hChannelsSnoopChannelWithID,
		"channels.dial":               hChannelsDial,
		"channels.externalMedia":      hChannelsExternalMedia,

		"deviceStates.list":   hDeviceStatesList,
		"deviceStates.get":    hDeviceStatesGet,
		"deviceStates.update": hDeviceStatesUpdate,
		"deviceStates.delete": hDeviceStatesDelete,

		"endpoints.list":       hEndpointsList,
		"endpoints.listByTech": hEndpointsListByTech,
		"endpoints.get":        hEndpointsGet,

		// events.eventWebsocket is served by the websocket upgrade.
		"events.eventWebsocket": hEventsWebsocketNoUpgrade,
		"events.userEvent":      hEventsUserEvent,
		"events.claimChannel":   hEventsClaimChannel,

		"mailboxes.list":   hMailboxesList,
		"mailboxes.get":    hMailboxesGet,
		"mailboxes.update": hMailboxesUpdate,
		"mailboxes.delete": hMailboxesDelete,

		"playbacks.get":     hPlaybacksGet,
		"playbacks.stop":    hPlaybacksStop,
		"playbacks.control": hPlaybacksControl,

		"recordings.listStored":    hRecordingsListStored,
		"recordings.getStored":     hRecordingsGetStored,
		"recordings.deleteStored":  hRecordingsDeleteStored,
		"recordings.getStoredFile": hRecordingsGetStoredFile,
		"recordings.copyStored":    hRecordingsCopyStored,
		"recordings.getLive":       hRecordingsGetLive,
		"recordings.cancel":        hRecordingsCancel,
		"recordings.stop":          hRecordingsStop,
		"recordings.pause":         hRecordingsPause,
		"recordings.unpause":       hRecordingsUnpause,
		"recordings.mute":          hRecordingsMute,
		"recordings.unmute":        hRecordingsUnmute,

		"sounds.list": hSoundsList,
		"sounds.get":  hSoundsGet,
	}
}

// hEventsWebsocketNoUpgrade answers GET /events without a websocket
// upgrade.
func hEventsWebsocketNoUpgrade(s *Server, c *reqCtx) reply {
	if c.str("app") == "" {
		return errReply(400, "HTTP request is missing param: [app]")
	}
	return errReply(426, "Upgrade Required")
}
