from mutualaid.messaging import Message, send


def test_email_backend_mails_people_with_an_address(settings, mailoutbox, caplog):
    settings.MESSAGE_BACKEND = "mutualaid.messaging.EmailBackend"
    assert send(Message("张三", "", "zhangsan@example.cn", "还款提醒", "下周到期"))
    assert [m.to for m in mailoutbox] == [["zhangsan@example.cn"]]
    caplog.set_level("INFO", logger="mutualaid.messages")
    assert send(Message("李四", "13900000000", "", "还款提醒", "明天到期"))
    assert len(mailoutbox) == 1 and "明天到期" in caplog.text
