@step-2
Feature: The one-time password
  The onboarding server draws the OTP at the start of the reactivation and the bank sends it by SMS
  to the number it holds; the client types it at step 8, within its lifetime and attempts.

  @RX-02 @RX-03 @RX-04 @positive @smoke
  Scenario: The OTP is drawn by the server and reaches the client by SMS
    Given a bank client
    When the client starts the reactivation
    Then an SMS with an 8-digit OTP reaches the client's handset
    And the onboarding server handed the OTP to the bank
    And the SMS goes to the phone number the bank holds
    And the OTP appears in no answer to the app and in no party's journal

  @RX-02 @negative
  Scenario: The app cannot choose the OTP
    Given a bank client
    When the client starts the reactivation proposing the OTP "12345678"
    Then the OTP in the SMS is not "12345678"

  @RX-03 @negative
  Scenario: A phone number given by the app is ignored
    Given a bank client
    When the client starts the reactivation giving the phone number "+420777000111"
    Then no SMS reaches the handset "+420777000111"
    And the SMS goes to the phone number the bank holds

  @RX-04 @negative @smoke
  Scenario: Someone the bank does not know gets the same answer and no SMS
    Given someone the bank does not know
    When they start the reactivation
    Then the bank was not asked to send an OTP
    And no SMS reaches any handset
    And both answers look alike

  @RX-05 @positive @step-8
  Scenario: The OTP typed within five minutes verifies
    Given the client has reached the face check
    When 4 minutes pass
    And the client scans their own face
    And the client types the OTP from the SMS
    Then the client is verified

  @RX-05 @negative @step-8 @smoke
  Scenario: The OTP expires after five minutes
    Given the client has reached the face check
    When 301 seconds pass
    And the client scans their own face
    And the client types the OTP from the SMS
    Then the app is told only that verification failed

  @RX-05 @negative
  Scenario: A new OTP is refused within 30 seconds
    Given the client has started the reactivation and read the OTP
    When 20 seconds pass
    And the client asks for a new OTP
    Then the new OTP is refused

  @RX-05 @positive @step-8
  Scenario: A new OTP after 30 seconds replaces the previous one
    Given the client has reached the face check
    When 31 seconds pass
    And the client asks for a new OTP
    Then a new OTP reaches the client's handset
    When the client scans their own face
    And the client types the previous OTP
    Then the app is told only that verification failed
    When the client scans their own face
    And the client types the OTP from the SMS
    Then the client is verified

  @RX-05 @positive @step-8
  Scenario: One typo, then the right OTP
    Given the persona "otp-typo"
    When the client goes through the reactivation
    Then the client is reactivated

  @RX-05 @negative @step-8 @slow
  Scenario: Five wrong OTPs fail the process
    Given the client has reached the face check
    When the client types a wrong OTP 5 times, scanning their face before each
    Then the app is told only that verification failed
    And the process is FAILED
